#!/usr/bin/env python3
"""PyTorch peer of the classic-architecture zoo configs (configs/zoo/*.yaml).

Every network is an nn.Module built layer for layer from its YAML (same filters, kernel sizes, strides, padding,
bias on/off, batch-norm placement, dropout rates, shortcut and concatenation wiring); each builder cites its file.

Two modes:
  params : trainable parameter count (sum of p.numel() over p.requires_grad) and batch norm's moving statistics
           (running mean + running variance; num_batches_tracked is not counted), one line per network:
             resnet20-cifar10 trainable 272474 bn_stats 1568
           A one-sample forward pass checks that the layers compose and end in 10 logits.
  train  : training steps on the real data (MNIST / CIFAR-10 from the datasets folder, read with the loaders of
           ../shared/peers/pytorch_peer.py), Keras validation_split (the LAST fraction of the training set is held
           out, the rest shuffled every epoch), the YAML's augmentation, optimizer and batch size.
             --seconds S : after --warmup steps, time steps for S seconds and print training samples/s
             --epochs N  : train N whole epochs and print the seconds of each (and the validation accuracy)
             --milestones 0.5,0.75 [--drop 0.1] : with --epochs, the YAML's multistep schedule over those N epochs:
                           the rate times drop^k from 0-based epoch floor(f * N + 0.5) of each milestone f on (Java's
                           Math.round, as deepnets' schedule), the momentum buffers rescaled at each drop so that the
                           update is Keras's velocity form (v = m v - lr g) rather than PyTorch's (v = m v + g, lr v)
             --cosine : with --epochs, the YAML's {type: cosine, alpha: 0.0} over those N epochs: the rate
                           lr * (1 + cos(pi * e / N)) / 2 at 0-based epoch e (deepnets' cosine per epoch), the momentum
                           buffers rescaled at each change as at a drop

Keras-faithful details
  * weights glorot_uniform (xavier_uniform_; for depthwise kernels PyTorch's fans (9, 9C) are Keras's (9C, 9)
    swapped, and glorot's limit depends only on their sum), biases 0, batch norm gamma 1, beta 0; a file's
    kernel_initializer he_normal (ResNet-20's convolutions) as Keras's: keras_init below
  * the output layer's label_smoothing s (ResNet-20's 0.1) = F.cross_entropy(label_smoothing=s), Keras's y(1-s) + s/K
  * padding 'valid' = no padding; 'same' = Keras's: total = max((ceil(n/s) - 1) * s + k - n, 0), of which
    total // 2 at the top/left and the rest at the bottom/right (so a 3x3 stride-2 'same' on 32 pads 0 top, 1 bottom,
    unlike nn.Conv2d(padding=1)); max pooling pads with -inf (the padded cells never win), as Keras
  * batch_normalization: Keras defaults epsilon 1e-3, momentum 0.99 -> nn.BatchNorm2d(eps=1e-3, momentum=0.01)
  * depthwise_conv2d (depth_multiplier 1) = nn.Conv2d(C, C, k, groups=C)
  * output layer = nn.Linear; softmax + categorical cross-entropy == F.cross_entropy on the logits
  * kernel_regularizer {l2: lam} adds lam * sum(w^2) to the loss: its gradient 2 * lam * w is SGD's
    weight_decay = 2 * lam, applied to those kernels only (not to biases or batch norm's gamma/beta)
  * sgd with momentum m (Keras nesterov false): torch.optim.SGD(momentum=m, nesterov=False), the same update at a
    constant learning rate; adam: torch.optim.Adam(betas=(0.9, 0.999), eps=1e-7) (Keras's defaults)
  * augment {horizontal_flip, width_shift, height_shift}: as src/main/java/io/deepnets/data/ImageAugmenter.java
    (Keras's ImageDataGenerator): per image a shift drawn uniformly in [-shift, shift] x size, sampled bilinearly
    with points outside taking the nearest edge pixel (F.grid_sample, padding_mode='border'), then a horizontal flip
    with probability 1/2; training batches only. An integer shift n (Keras's integer form, the ResNet files) moves
    by whole pixels, choice(n) * choice([-1, 1]), edges repeated, by indexing (no resampling); cutout L last: a
    centre pixel drawn uniformly, rows and columns clip(centre -+ L // 2, 0, size) zeroed in every channel
  * tensors are NCHW (Keras is NHWC; only the flatten order before a dense layer differs, irrelevant here)
  * the learning-rate schedules (multistep drops at 50% and 75% of the YAML's epochs, a cosine over them) are applied
    only with --epochs and --milestones or --cosine: the timed steps run at the initial rate, and the rate does not
    change a step's cost

Usage (run from the repository root; Debian's /usr/bin/python3 has python3-torch):
  /usr/bin/python3 scripts/torch_zoo.py params [--models lenet5-mnist,resnet20-cifar10] [--layers]
  /usr/bin/python3 scripts/torch_zoo.py train --models resnet20-cifar10 [--seconds 20] [--batch N] [--threads T]
  /usr/bin/python3 scripts/torch_zoo.py train --models lenet5-mnist --epochs 1
  /usr/bin/python3 scripts/torch_zoo.py profile --models resnet20-cifar10 [--steps 20] [--threads 2]
    per layer (leaf module) milliseconds per training step, forward and backward, beside `deepnets bench --profile`:
    forward = the ops run inside the module's forward call (a record_function around it); backward = the autograd
    nodes those ops created (matched by their sequence numbers), so a residual add or a concatenation in forward()
    code outside a module counts under "(between modules)"; update = optimizer.step()
  (data: --data-dir, else $DEEPNETS_DATA, else ../shared/datasets next to the repository)
"""
import argparse
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PEERS = os.environ.get("DEEPNETS_PEERS", os.path.join(REPO, "..", "shared", "peers"))
ZOO = os.path.join(REPO, "configs", "zoo")

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


# ----------------------------------------------------------------------------- Keras-like layers
def _same_pads(n, k, s):
    """Keras 'same' padding along one axis of size n: (before, after)."""
    out = math.ceil(n / s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def keras_init(w, init):
    """Keras's kernel_initializer by name: glorot_uniform (xavier_uniform_) or he_normal, Keras's VarianceScaling(2,
    'fan_in', 'truncated_normal'): a normal cut at two deviations, its deviation sqrt(2 / fan_in) / 0.87962566 so that
    the cut one has variance 2 / fan_in (fan_in = kernel area x input channels per group, PyTorch's own count)."""
    if init == "glorot_uniform":
        nn.init.xavier_uniform_(w)
    elif init == "he_normal":
        fan_in = w[0].numel()
        std = math.sqrt(2.0 / fan_in) / 0.87962566103423978
        nn.init.trunc_normal_(w, 0.0, std, -2 * std, 2 * std)
    else:
        raise ValueError(init)


class Conv2d(nn.Conv2d):
    """Keras Conv2D / DepthwiseConv2D (groups=in_channels) with 'same' or 'valid' padding.

    l2 is the kernel_regularizer's factor (0: none); the optimizer turns it into weight decay on this kernel."""

    def __init__(self, cin, cout, k, stride=1, padding="valid", bias=True, groups=1, l2=0.0, init="glorot_uniform"):
        self.keras_padding = padding
        self.k, self.s = k, stride
        # 'same' with stride 1 and an odd kernel is symmetric: let the convolution pad; otherwise pad in forward
        native = (k - 1) // 2 if (padding == "same" and stride == 1 and k % 2 == 1) else 0
        self.explicit = padding == "same" and not (stride == 1 and k % 2 == 1)
        super().__init__(cin, cout, k, stride=stride, padding=native, bias=bias, groups=groups)
        self.l2, self.init = l2, init
        keras_init(self.weight, init)
        if self.bias is not None:
            nn.init.zeros_(self.bias)

    def forward(self, x):
        if self.explicit:
            t, b = _same_pads(x.shape[2], self.k, self.s)
            l, r = _same_pads(x.shape[3], self.k, self.s)
            x = F.pad(x, (l, r, t, b))
        return super().forward(x)


class MaxPool2d(nn.Module):
    """Keras MaxPooling2D: strides default to pool_size; 'same' pads with -inf, more at the bottom/right."""

    def __init__(self, k, stride=None, padding="valid"):
        super().__init__()
        self.k, self.s, self.padding = k, stride or k, padding

    def forward(self, x):
        if self.padding == "same":
            t, b = _same_pads(x.shape[2], self.k, self.s)
            l, r = _same_pads(x.shape[3], self.k, self.s)
            if t or b or l or r:
                x = F.pad(x, (l, r, t, b), value=float("-inf"))
        return F.max_pool2d(x, self.k, self.s)

    def extra_repr(self):
        return f"pool_size={self.k}, strides={self.s}, padding={self.padding!r}"


def Dense(cin, cout, l2=0.0):
    m = nn.Linear(cin, cout)
    nn.init.xavier_uniform_(m.weight)
    nn.init.zeros_(m.bias)
    m.l2, m.init = l2, "glorot_uniform"
    return m


def BatchNorm(c):
    """Keras BatchNormalization defaults: epsilon 1e-3, momentum 0.99 (PyTorch's momentum is 1 - Keras's)."""
    return nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)


class GlobalAvgPool(nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3))


# ----------------------------------------------------------------------------- lenet5-mnist
def lenet5():
    # configs/zoo/lenet5-mnist.yaml: c1 6x5x5 'same' tanh, s2 avg 2, c3 16x5x5 'valid' tanh, s4 avg 2, flatten,
    # c5 dense 120 tanh, f6 dense 84 tanh, output 10; input 28x28x1
    return nn.Sequential(
        Conv2d(1, 6, 5, padding="same"), nn.Tanh(),       # c1: 28x28x6
        nn.AvgPool2d(2),                                   # s2: 14x14
        Conv2d(6, 16, 5), nn.Tanh(),                      # c3: 10x10x16
        nn.AvgPool2d(2),                                   # s4: 5x5
        nn.Flatten(),                                      # 400
        Dense(400, 120), nn.Tanh(),                        # c5
        Dense(120, 84), nn.Tanh(),                         # f6
        Dense(84, 10))                                     # predictions


# ----------------------------------------------------------------------------- alexnet-cifar10
def alexnet():
    # configs/zoo/alexnet-cifar10.yaml: conv 96 5x5, 256 5x5, 384 3x3, 384 3x3, 256 3x3 (all 'same', ReLU),
    # 3x3/2 'valid' max pools after conv1, conv2, conv5 (32 -> 15 -> 7 -> 3), flatten 2304, dropout 0.5,
    # dense 1024 ReLU, dropout 0.5, dense 1024 ReLU, output 10
    return nn.Sequential(
        Conv2d(3, 96, 5, padding="same"), nn.ReLU(),      # conv1
        MaxPool2d(3, 2),                                   # pool1: 15x15
        Conv2d(96, 256, 5, padding="same"), nn.ReLU(),    # conv2
        MaxPool2d(3, 2),                                   # pool2: 7x7
        Conv2d(256, 384, 3, padding="same"), nn.ReLU(),   # conv3
        Conv2d(384, 384, 3, padding="same"), nn.ReLU(),   # conv4
        Conv2d(384, 256, 3, padding="same"), nn.ReLU(),   # conv5
        MaxPool2d(3, 2),                                   # pool5: 3x3
        nn.Flatten(),                                      # 2304
        nn.Dropout(0.5),
        Dense(2304, 1024), nn.ReLU(),                      # fc6
        nn.Dropout(0.5),
        Dense(1024, 1024), nn.ReLU(),                      # fc7
        Dense(1024, 10))                                   # predictions


# ----------------------------------------------------------------------------- vgg11 / vgg16
VGG_STACKS = {
    # configs/zoo/vgg11-cifar10.yaml (configuration A): conv1..conv8, 'M' = pool1..pool5 (2x2 max, 'valid')
    "vgg11-cifar10": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    # configs/zoo/vgg16-cifar10.yaml (configuration D): conv1..conv13, 'M' = pool1..pool5
    "vgg16-cifar10": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
}


def vgg(name):
    # configs/zoo/vgg11-cifar10.yaml, configs/zoo/vgg16-cifar10.yaml: every conv 3x3 'same' WITH bias (no use_bias
    # key), then batch_normalization, then ReLU; 2x2 max pools (32 -> 1); flatten 512, dropout 0.5, dense 512 ReLU,
    # dropout 0.5, dense 512 ReLU, output 10
    layers, c = [], 3
    for v in VGG_STACKS[name]:
        if v == "M":
            layers.append(MaxPool2d(2))
        else:
            layers += [Conv2d(c, v, 3, padding="same"), BatchNorm(v), nn.ReLU()]
            c = v
    layers += [nn.Flatten(),
               nn.Dropout(0.5), Dense(512, 512), nn.ReLU(),   # fc1
               nn.Dropout(0.5), Dense(512, 512), nn.ReLU(),   # fc2
               Dense(512, 10)]                                # predictions
    return nn.Sequential(*layers)


# ----------------------------------------------------------------------------- resnet20 / resnet56
# The files' output layers' label_smoothing (F.cross_entropy's label_smoothing is Keras's: y (1 - s) + s / K).
SMOOTHING = {"resnet20-cifar10": 0.1}


class BasicBlock(nn.Module):
    """blocks.basic of configs/zoo/resnet{20,56}-cifar10.yaml: conv_a 3x3 'same' no bias, bn_a, relu_a,
    conv_b 3x3 'same' no bias, bn_b, add [bn_b, in], relu."""

    def __init__(self, f, l2, init):
        super().__init__()
        self.conv_a = Conv2d(f, f, 3, padding="same", bias=False, l2=l2, init=init)
        self.bn_a = BatchNorm(f)
        self.conv_b = Conv2d(f, f, 3, padding="same", bias=False, l2=l2, init=init)
        self.bn_b = BatchNorm(f)

    def forward(self, x):
        y = F.relu(self.bn_a(self.conv_a(x)))
        y = self.bn_b(self.conv_b(y))
        return F.relu(y + x)


class DownBlock(nn.Module):
    """blocks.down of configs/zoo/resnet{20,56}-cifar10.yaml: conv_a 3x3 stride 2 'same' (Keras: pads 0 top/left,
    1 bottom/right on an even size) no bias, bn_a, relu_a, conv_b 3x3 'same' no bias, bn_b; shortcut on the block's
    input: 1x1 stride 2 'valid' conv, no bias, shortcut_bn; add [bn_b, shortcut_bn], relu."""

    def __init__(self, cin, f, l2, init):
        super().__init__()
        self.conv_a = Conv2d(cin, f, 3, stride=2, padding="same", bias=False, l2=l2, init=init)
        self.bn_a = BatchNorm(f)
        self.conv_b = Conv2d(f, f, 3, padding="same", bias=False, l2=l2, init=init)
        self.bn_b = BatchNorm(f)
        self.shortcut = Conv2d(cin, f, 1, stride=2, bias=False, l2=l2, init=init)
        self.shortcut_bn = BatchNorm(f)

    def forward(self, x):
        y = F.relu(self.bn_a(self.conv_a(x)))
        y = self.bn_b(self.conv_b(y))
        return F.relu(y + self.shortcut_bn(self.shortcut(x)))


def resnet(n, l2, init):
    # configs/zoo/resnet20-cifar10.yaml (n = 3) and configs/zoo/resnet56-cifar10.yaml (n = 9): stem 16 3x3 'same'
    # no bias + stem_bn + ReLU; stage1 = basic x n (16); stage2_1 = down 32, stage2 = basic x (n - 1);
    # stage3_1 = down 64, stage3 = basic x (n - 1); global average pooling; output 10. Every kernel
    # has the file's kernel_regularizer l2; the convolutions its kernel_initializer (the output layer glorot_uniform)
    layers = [Conv2d(3, 16, 3, padding="same", bias=False, l2=l2, init=init), BatchNorm(16), nn.ReLU()]
    layers += [BasicBlock(16, l2, init) for _ in range(n)]
    layers += [DownBlock(16, 32, l2, init)] + [BasicBlock(32, l2, init) for _ in range(n - 1)]
    layers += [DownBlock(32, 64, l2, init)] + [BasicBlock(64, l2, init) for _ in range(n - 1)]
    layers += [GlobalAvgPool(), Dense(64, 10, l2=l2)]
    return nn.Sequential(*layers)


# ----------------------------------------------------------------------------- inception-cifar10
class Inception(nn.Module):
    """blocks.inception of configs/zoo/inception-cifar10.yaml, params [f1, f3r, f3, f5r, f5, fp], every conv with
    bias and ReLU, no batch norm: b1 = 1x1 f1 on in; b3 = 1x1 f3r on in, then 3x3 'same' f3; b5 = 1x1 f5r on in,
    then 5x5 'same' f5; pool = 3x3 stride-1 'same' max pool on in, then pool_proj 1x1 fp; concatenate
    [b1, b3, b5, pool_proj] along the channels."""

    def __init__(self, cin, f1, f3r, f3, f5r, f5, fp):
        super().__init__()
        self.b1 = Conv2d(cin, f1, 1)
        self.b3_reduce = Conv2d(cin, f3r, 1)
        self.b3 = Conv2d(f3r, f3, 3, padding="same")
        self.b5_reduce = Conv2d(cin, f5r, 1)
        self.b5 = Conv2d(f5r, f5, 5, padding="same")
        self.pool = MaxPool2d(3, 1, padding="same")
        self.pool_proj = Conv2d(cin, fp, 1)
        self.out_channels = f1 + f3 + f5 + fp

    def forward(self, x):
        b1 = F.relu(self.b1(x))
        b3 = F.relu(self.b3(F.relu(self.b3_reduce(x))))
        b5 = F.relu(self.b5(F.relu(self.b5_reduce(x))))
        bp = F.relu(self.pool_proj(self.pool(x)))
        return torch.cat([b1, b3, b5, bp], dim=1)


def inception():
    # configs/zoo/inception-cifar10.yaml: stem 64 3x3 'same' ReLU; inception 3a, 3b; pool3 3x3/2 'same';
    # 4a, 4b; pool4 3x3/2 'same'; 5a; global average pooling; dropout 0.4; output 10
    layers = [Conv2d(3, 64, 3, padding="same"), nn.ReLU()]
    c = 64

    def module(*f):
        nonlocal c
        m = Inception(c, *f)
        c = m.out_channels
        return m

    layers.append(module(32, 48, 64, 8, 16, 16))        # inception_3a -> 128
    layers.append(module(64, 64, 96, 16, 48, 32))       # inception_3b -> 240
    layers.append(MaxPool2d(3, 2, padding="same"))      # pool3: 32 -> 16
    layers.append(module(96, 48, 104, 8, 24, 32))       # inception_4a -> 256
    layers.append(module(80, 56, 112, 12, 32, 32))      # inception_4b -> 256
    layers.append(MaxPool2d(3, 2, padding="same"))      # pool4: 16 -> 8
    layers.append(module(128, 80, 160, 16, 64, 64))     # inception_5a -> 416
    layers += [GlobalAvgPool(), nn.Dropout(0.4), Dense(c, 10)]
    return nn.Sequential(*layers)


# ----------------------------------------------------------------------------- mobilenet-cifar10
class Separable(nn.Module):
    """blocks.separable / blocks.separable_down of configs/zoo/mobilenet-cifar10.yaml: (down: zero_padding2d
    [[0, 1], [0, 1]], then) depthwise 3x3 (stride 1 'same' / stride 2 'valid'), no bias, dw_bn, ReLU; pointwise
    1x1 conv, no bias, pw_bn, ReLU."""

    def __init__(self, cin, f, down=False):
        super().__init__()
        self.down = down
        if down:
            self.pad = nn.ZeroPad2d((0, 1, 0, 1))    # (left, right, top, bottom) = [[0, 1], [0, 1]]
            self.dw = Conv2d(cin, cin, 3, stride=2, padding="valid", bias=False, groups=cin)
        else:
            self.pad = nn.Identity()
            self.dw = Conv2d(cin, cin, 3, padding="same", bias=False, groups=cin)
        self.dw_bn = BatchNorm(cin)
        self.pw = Conv2d(cin, f, 1, bias=False)
        self.pw_bn = BatchNorm(f)

    def forward(self, x):
        x = F.relu(self.dw_bn(self.dw(self.pad(x))))
        return F.relu(self.pw_bn(self.pw(x)))


def mobilenet():
    # configs/zoo/mobilenet-cifar10.yaml: conv1 32 3x3 'same' stride 1 no bias + bn + ReLU; block1 separable 64;
    # block2 down 128; block3 128; block4 down 256; block5 256; block6 down 512; block7_11 separable 512 x 5;
    # block12 down 1024; block13 1024; global average pooling; output 10
    layers = [Conv2d(3, 32, 3, padding="same", bias=False), BatchNorm(32), nn.ReLU()]
    plan = [(64, False), (128, True), (128, False), (256, True), (256, False), (512, True)] + [(512, False)] * 5 \
        + [(1024, True), (1024, False)]
    c = 32
    for f, down in plan:
        layers.append(Separable(c, f, down))
        c = f
    layers += [GlobalAvgPool(), Dense(c, 10)]
    return nn.Sequential(*layers)


def cifar8_cnn():
    # configs/cifar8-cnn.yaml (and configs/catsdogs-scratch.yaml, the same layers with a 2-way output): conv 32 3x3
    # 'same' (bias, linear) + bn + ReLU, max pool 2; conv 64 likewise, pool; conv 128 + bn + ReLU; global average
    # pooling; dense 128 ReLU; dropout 0.3; output. The peer keeps 10 outputs (its loader's CIFAR-10 labels); the two
    # extra logits of a 128x10 layer cost nothing measurable beside the convolutions.
    return nn.Sequential(
        Conv2d(3, 32, 3, padding="same"), BatchNorm(32), nn.ReLU(), nn.MaxPool2d(2),
        Conv2d(32, 64, 3, padding="same"), BatchNorm(64), nn.ReLU(), nn.MaxPool2d(2),
        Conv2d(64, 128, 3, padding="same"), BatchNorm(128), nn.ReLU(),
        GlobalAvgPool(), Dense(128, 128), nn.ReLU(), nn.Dropout(0.3), Dense(128, 10))


def digits_cnn():
    # configs/digits-cnn.yaml (not a zoo file; the digits grid's network, as scripts/torch_digits_grid.py trains it):
    # conv 10 3x3 'valid' ReLU, max pool 2, flatten, dense 50 ReLU, output 10; l2 0.001 on every kernel; input 8x8x1
    return nn.Sequential(
        Conv2d(1, 10, 3, l2=0.001), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        Dense(90, 50, l2=0.001), nn.ReLU(), Dense(50, 10, l2=0.001))


# ----------------------------------------------------------------------------- recipes (from the YAMLs)
# dataset, input (C, H, W), optimizer, learning rate, momentum, batch size, validation_split (None: the test set
# validates, Keras's validation_data), augment
# (horizontal_flip, width_shift, height_shift, cutout), builder
AUG = (True, 0.125, 0.125, 0)
WHOLE = (True, 5, 5, 0)   # the ResNet files: whole-pixel shifts of -4 to 4
CUTOUT = (True, 5, 5, 16)  # ResNet-20's file: the same, then a 16-pixel cutout
MODELS = {
    "lenet5-mnist": ("mnist", (1, 28, 28), "sgd", 0.05, 0.9, 64, 0.1, None, lenet5),
    "alexnet-cifar10": ("cifar10", (3, 32, 32), "sgd", 0.01, 0.9, 128, 0.1, AUG, alexnet),
    "vgg11-cifar10": ("cifar10", (3, 32, 32), "sgd", 0.05, 0.9, 128, 0.1, AUG, lambda: vgg("vgg11-cifar10")),
    "vgg16-cifar10": ("cifar10", (3, 32, 32), "sgd", 0.05, 0.9, 128, 0.1, AUG, lambda: vgg("vgg16-cifar10")),
    "resnet20-cifar10": ("cifar10", (3, 32, 32), "sgd", 0.1, 0.9, 128, None, CUTOUT, lambda: resnet(3, 2.5e-4, "he_normal")),
    "resnet56-cifar10": ("cifar10", (3, 32, 32), "sgd", 0.1, 0.9, 128, 0.1, WHOLE, lambda: resnet(9, 5.0e-5, "glorot_uniform")),
    "inception-cifar10": ("cifar10", (3, 32, 32), "adam", 0.001, None, 128, 0.1, AUG, inception),
    "mobilenet-cifar10": ("cifar10", (3, 32, 32), "adam", 0.001, None, 128, 0.1, AUG, mobilenet),
    # configs/cifar8-cnn.yaml (not a zoo file): no augmentation, Adam, batch 64
    "cifar8-cnn": ("cifar10", (3, 32, 32), "adam", 0.001, None, 64, 0.1, None, cifar8_cnn),
    # configs/digits-cnn.yaml (not a zoo file): plain SGD, batch 100, the 8x8 digits' seeded 80/20 split
    "digits-cnn": ("digits", (1, 8, 8), "sgd", 0.1, None, 100, None, None, digits_cnn),
}


def yaml_kernels(y):
    """Every layer of a zoo YAML that has a kernel (its blocks' layers included), as the dicts written."""
    kinds = {"conv2d", "dense", "output", "depthwise_conv2d", "separable_conv2d"}
    layers = list(y["model"]["layers"])
    for block in (y["model"].get("blocks") or {}).values():
        layers += block["layers"]
    return [l for l in layers if l.get("type") in kinds]


def check_recipe(name):
    """Compares the table above, and the twin's regularisation (the kernels' L2 factors, their initialisers, the label
    smoothing), with configs/zoo/<name>.yaml where PyYAML is at hand; warns on a difference."""
    try:
        import yaml
    except ImportError:
        return
    path = os.path.join(ZOO, name + ".yaml")
    if not os.path.exists(path):
        return
    with open(path) as f:
        y = yaml.safe_load(f)
    ds, _, opt, lr, mom, batch, vs, aug, _ = MODELS[name]
    a = y["data"].get("augment")
    kernels = yaml_kernels(y)
    net = build(name)
    twin_kernels = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    output = [l for l in y["model"]["layers"] if l.get("type") == "output"]
    want = {"dataset": y["data"]["dataset"], "optimizer": y["optimizer"]["name"],
            "learning_rate": float(y["optimizer"]["learning_rate"]), "momentum": y["optimizer"].get("momentum"),
            "batch_size": y["training"]["batch_size"], "validation_split": y["data"].get("validation_split"),
            "augment": None if a is None else (bool(a.get("horizontal_flip", False)), a.get("width_shift", 0.0),
                                               a.get("height_shift", 0.0), a.get("cutout", 0)),
            "kernel L2 factors": sorted({float((l.get("kernel_regularizer") or {}).get("l2", 0.0)) for l in kernels} - {0.0}),
            "kernel initialisers": sorted({l.get("kernel_initializer", "glorot_uniform") for l in kernels}),
            "label smoothing": float(output[0].get("label_smoothing", 0.0)) if output else 0.0}
    have = {"dataset": ds, "optimizer": opt, "learning_rate": lr, "momentum": mom, "batch_size": batch,
            "validation_split": vs, "augment": aug,
            "kernel L2 factors": sorted({float(getattr(m, "l2", 0.0)) for m in twin_kernels} - {0.0}),
            "kernel initialisers": sorted({getattr(m, "init", "glorot_uniform") for m in twin_kernels}),
            "label smoothing": SMOOTHING.get(name, 0.0)}
    for k in want:
        if want[k] != have[k]:
            print(f"# WARNING {name}: {k} is {want[k]!r} in {path}, {have[k]!r} here", flush=True)


def build(name):
    torch.manual_seed(0)
    return MODELS[name][-1]()


def counts(net):
    trainable = sum(p.numel() for p in net.parameters() if p.requires_grad)
    bn_stats = sum(m.running_mean.numel() + m.running_var.numel()
                   for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm))
    return trainable, bn_stats


def make_optimizer(name, net, lr=None):
    _, _, opt, lr0, mom, *_ = MODELS[name]
    lr = lr0 if lr is None else lr
    decay, plain = {}, []
    seen = set()
    for m in net.modules():
        l2 = getattr(m, "l2", 0.0)
        if l2 and isinstance(m, (nn.Conv2d, nn.Linear)):
            decay.setdefault(l2, []).append(m.weight)
            seen.add(id(m.weight))
    plain = [p for p in net.parameters() if id(p) not in seen]
    groups = [{"params": plain, "weight_decay": 0.0}] + \
             [{"params": ps, "weight_decay": 2.0 * l2} for l2, ps in decay.items()]
    if opt == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=mom or 0.0, nesterov=False)
    if opt == "adam":
        return torch.optim.Adam(groups, lr=lr, betas=(0.9, 0.999), eps=1e-7)
    raise ValueError(opt)


# ----------------------------------------------------------------------------- params
def params(models, layers):
    for name in models:
        check_recipe(name)
        net = build(name)
        t, s = counts(net)
        net.eval()
        with torch.no_grad():
            out = net(torch.zeros((1,) + MODELS[name][1]))
        assert out.shape == (1, 10), (name, out.shape)
        print(f"{name} trainable {t} bn_stats {s}", flush=True)
        if layers:
            for mname, m in net.named_modules():
                own = sum(p.numel() for p in m.parameters(recurse=False))
                if own:
                    print(f"    {mname:28s} {type(m).__name__:12s} {own:10d}")


# ----------------------------------------------------------------------------- data + train
def peer_module(data_dir):
    sys.path.insert(0, PEERS)
    import pytorch_peer as peer
    peer.SHARED = data_dir   # its CIFAR reader looks under peer.SHARED at call time
    return peer


def load(name, data_dir):
    if MODELS[name][0] == "digits":
        # torch_digits_grid.py's split (numpy's seeded permutation, 20% test): the same images and pixel scale
        from torch_digits_grid import split_digits
        return tuple(torch.from_numpy(a) for a in split_digits(data_dir, 42))
    peer = peer_module(data_dir)
    if MODELS[name][0] == "mnist":
        d = os.path.join(data_dir, "mnist")
        if not peer.mnist_ready(d):
            sys.exit(f"MNIST not found under {d}")
        return peer.load_mnist(d)
    if not peer.cifar_ready():
        sys.exit(f"CIFAR-10 not found (or incomplete) under {os.path.join(data_dir, 'cifar10')}")
    return peer.load_cifar()


def augment(x, aug, gen):
    """ImageAugmenter's shift + flip + cutout on a batch copy (bilinear, nearest edge fill), per image."""
    flip, ws, hs, cut = aug
    n, c, h, w = x.shape
    if isinstance(ws, int) and isinstance(hs, int):
        def whole(k):
            return torch.randint(0, max(k, 1), (n,), generator=gen) * (torch.randint(0, 2, (n,), generator=gen) * 2 - 1)
        rows = (torch.arange(h)[None, :] + whole(hs)[:, None]).clamp(0, h - 1)
        cols = (torch.arange(w)[None, :] + whole(ws)[:, None]).clamp(0, w - 1)
        x = x[torch.arange(n)[:, None, None, None], torch.arange(c)[None, :, None, None], rows[:, None, :, None],
              cols[:, None, None, :]]
    elif isinstance(ws, int) or isinstance(hs, int):
        raise SystemExit("augment: one integer and one fractional shift are not written here")
    elif ws or hs:
        tx = (torch.rand(n, generator=gen) * 2 - 1) * hs * h    # rows
        ty = (torch.rand(n, generator=gen) * 2 - 1) * ws * w    # columns
        theta = torch.zeros(n, 2, 3)
        theta[:, 0, 0] = 1
        theta[:, 1, 1] = 1
        theta[:, 0, 2] = 2 * ty / (w - 1)   # grid x (columns), align_corners=True: pixel c <-> -1 + 2c/(w-1)
        theta[:, 1, 2] = 2 * tx / (h - 1)
        grid = F.affine_grid(theta, list(x.shape), align_corners=True)
        x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=True)
    if flip:
        m = torch.rand(n, generator=gen) < 0.5
        x = torch.where(m[:, None, None, None], x.flip(3), x)
    if cut:
        # DeVries and Taylor's Cutout(n_holes=1, length=cut): centre uniform over the pixels, rows and columns
        # clip(centre -+ cut // 2, 0, size) set to 0 in every channel.
        y = torch.randint(0, h, (n,), generator=gen)
        xc = torch.randint(0, w, (n,), generator=gen)
        r = torch.arange(h)[None, :]
        c = torch.arange(w)[None, :]
        rows = (r >= (y - cut // 2).clamp(0, h)[:, None]) & (r < (y + cut // 2).clamp(0, h)[:, None])
        cols = (c >= (xc - cut // 2).clamp(0, w)[:, None]) & (c < (xc + cut // 2).clamp(0, w)[:, None])
        x = x.masked_fill((rows[:, :, None] & cols[:, None, :])[:, None, :, :], 0.0)
    return x


def evaluate(net, x, y, bs=1000):
    net.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, x.shape[0], bs):
            correct += (net(x[i:i + bs]).argmax(1) == y[i:i + bs]).sum().item()
    return correct / x.shape[0]


def train(name, data_dir, seconds, warmup, epochs, batch, seed=42, milestones=(), drop=0.1, cosine=False):
    check_recipe(name)
    ds, shape, opt_name, lr, mom, b0, vsplit, aug, _ = MODELS[name]
    b = batch or b0
    xtr, ytr, xte, yte = load(name, data_dir)
    if vsplit is None:                            # Keras validation_data=(x_test, y_test): all training images train
        xt, yt, xv, yv = xtr, ytr, xte, yte
    else:
        split = int(xtr.shape[0] * (1 - vsplit))  # Keras: the last fraction is validation, cut before shuffling
        xt, yt, xv, yv = xtr[:split], ytr[:split], xtr[split:], ytr[split:]
    net = build(name)
    net.train()
    opt = make_optimizer(name, net)
    gen = torch.Generator().manual_seed(seed)
    t, s = counts(net)
    print(f"# {name}: {ds} train={xt.shape[0]} val={xv.shape[0]} batch={b} {opt_name} lr={lr}"
          f"{'' if mom is None else f' momentum={mom}'} augment={aug} trainable={t} "
          f"torch {torch.__version__} threads={torch.get_num_threads()}", flush=True)

    aug_s = [0.0]

    def batches():
        while True:
            perm = torch.randperm(xt.shape[0], generator=gen)
            for i in range(0, xt.shape[0], b):
                idx = perm[i:i + b]
                x, y = xt[idx], yt[idx]
                if aug is not None:
                    t0 = time.perf_counter()
                    x = augment(x, aug, gen)
                    aug_s[0] += time.perf_counter() - t0
                yield x, y

    def step(x, y):
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y, label_smoothing=SMOOTHING.get(name, 0.0))
        loss.backward()
        opt.step()
        return loss

    if epochs:
        steps_per_epoch = math.ceil(xt.shape[0] / b)
        it = batches()
        lr0 = opt.param_groups[0]["lr"]
        starts = [math.floor(f * epochs + 0.5) for f in milestones]
        for ep in range(1, epochs + 1):
            if cosine:
                lr = lr0 * 0.5 * (1 + math.cos(math.pi * (ep - 1) / epochs))
            else:
                lr = lr0 * drop ** sum(1 for e in starts if ep - 1 >= e)
            old = opt.param_groups[0]["lr"]
            if lr != old:
                for g in opt.param_groups:
                    for p in g["params"]:
                        buf = opt.state.get(p, {}).get("momentum_buffer")
                        if buf is not None:
                            buf.mul_(old / lr)      # Keras: v = m v - lr g carries the old rate's velocity on
                    g["lr"] = lr
                print(f"{name} epoch {ep}: learning rate {lr:g}", flush=True)
            net.train()
            aug_s[0] = 0.0
            t0 = time.perf_counter()
            tot = 0.0
            for _ in range(steps_per_epoch):
                x, y = next(it)
                tot += step(x, y).item() * x.shape[0]
            el = time.perf_counter() - t0
            va = evaluate(net, xv, yv)
            print(f"{name} epoch {ep}/{epochs}: {el:.1f} s ({xt.shape[0] / el:.1f} samples/s, augmentation "
                  f"{aug_s[0]:.1f} s) loss={tot / xt.shape[0]:.4f} val_acc={va:.4f}", flush=True)
        return
    it = batches()
    for _ in range(warmup):
        step(*next(it))
    aug_s[0] = 0.0
    steps = 0
    t0 = time.perf_counter()
    while True:
        step(*next(it))
        steps += 1
        el = time.perf_counter() - t0
        if el >= seconds:
            break
    print(f"{name} batch {b}: {steps * b / el:.1f} samples/s ({1000 * el / steps:.1f} ms/step, {steps} steps in "
          f"{el:.1f} s after {warmup} warm-up steps; augmentation {1000 * aug_s[0] / steps:.1f} ms/step)", flush=True)


def profile(name, data_dir, steps, warmup, batch, seed=42):
    """Per leaf module: forward and backward ms per step on real batches (no augmentation), and the update."""
    from torch.autograd import profiler
    ds, shape, opt_name, lr, mom, b0, vsplit, aug, _ = MODELS[name]
    b = batch or b0
    xtr, ytr, _, _ = load(name, data_dir)
    split = xtr.shape[0] if vsplit is None else int(xtr.shape[0] * (1 - vsplit))
    xt, yt = xtr[:split], ytr[:split]
    net = build(name)
    net.train()
    opt = make_optimizer(name, net)
    gen = torch.Generator().manual_seed(seed)
    leaves = [(n, m) for n, m in net.named_modules() if n and not list(m.children())]
    for n, m in leaves:
        m.register_forward_pre_hook(lambda mod, inp, n=n: setattr(mod, "_rf", torch.ops.profiler._record_function_enter("F:" + n)))
        m.register_forward_hook(lambda mod, inp, out: torch.ops.profiler._record_function_exit(mod._rf))
    perm = torch.randperm(xt.shape[0], generator=gen)

    def step(k):
        idx = perm[(k * b) % (xt.shape[0] - b):][:b]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(xt[idx]), yt[idx], label_smoothing=SMOOTHING.get(name, 0.0))
        loss.backward()
        with profiler.record_function("update"):
            opt.step()

    for k in range(warmup):
        step(k)
    with profiler.profile() as prof:
        for k in range(warmup, warmup + steps):
            step(k)
    t0 = time.perf_counter()
    for k in range(warmup + steps, warmup + 2 * steps):
        step(k)
    plain = 1000 * (time.perf_counter() - t0) / steps
    events = list(prof.function_events)
    owner = {}
    forward = {}
    for e in events:
        if e.name.startswith("F:"):
            forward[e.name[2:]] = forward.get(e.name[2:], 0.0) + e.cpu_time_total / 1000 / steps
        if getattr(e, "sequence_nr", -1) is not None and getattr(e, "sequence_nr", -1) >= 0 and not e.name.startswith("autograd::"):
            # An op's sequence number is the autograd counter's when it ran, also for ops that make no node (the
            # batch's indexing): only an op inside a module's call claims it.
            p = e.cpu_parent
            while p is not None and not p.name.startswith("F:"):
                p = p.cpu_parent
            if p is not None:
                owner.setdefault(e.sequence_nr, p.name[2:])
    backward = {}
    for e in events:
        if e.name.startswith("autograd::engine::evaluate_function: ") and "AccumulateGrad" not in e.name:
            who = owner.get(e.sequence_nr, "(between modules)")
            if "NllLoss" in e.name or "LogSoftmax" in e.name:
                who = "(loss)"
            backward[who] = backward.get(who, 0.0) + e.cpu_time_total / 1000 / steps
    update = sum(e.cpu_time_total for e in events if e.name == "update") / 1000 / steps
    print(f"\n{name} (real data, batch {b}, {steps} steps; torch {torch.__version__}, {torch.get_num_threads()} threads)")
    print(f"{'layer (module)':34s} {'type':18s} {'forward ms':>10s} {'backward ms':>12s}")
    tf = tb = 0.0
    for n, m in leaves:
        f, bw = forward.get(n, 0.0), backward.get(n, 0.0)
        tf += f
        tb += bw
        print(f"{n:34s} {type(m).__name__:18s} {f:10.2f} {bw:12.2f}")
    for extra in ("(between modules)", "(loss)"):
        if extra in backward:
            tb += backward[extra]
            print(f"{extra:34s} {'':18s} {'':10s} {backward[extra]:12.2f}")
    print(f"{'all layers':34s} {'':18s} {tf:10.2f} {tb:12.2f}")
    print(f"update (optimizer.step): {update:.2f} ms; whole step {plain:.2f} ms without the profiler")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["params", "train", "profile"])
    ap.add_argument("--steps", type=int, default=20, help="profile: profiled steps (after --warmup)")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--layers", action="store_true", help="params: also each layer's own parameter count")
    ap.add_argument("--seconds", type=float, default=20.0, help="train: timed seconds after the warm-up")
    ap.add_argument("--warmup", type=int, default=5, help="train: untimed steps first")
    ap.add_argument("--epochs", type=int, default=None, help="train: whole epochs instead of --seconds")
    ap.add_argument("--batch", type=int, default=None, help="train: batch size (default: the YAML's)")
    ap.add_argument("--milestones", default="", help="train --epochs: multistep drops at these fractions of the epochs")
    ap.add_argument("--drop", type=float, default=0.1, help="train --milestones: the factor at each milestone")
    ap.add_argument("--cosine", action="store_true", help="train --epochs: a cosine from the rate to 0 over the epochs")
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                    help="torch.set_num_threads (default: this machine's CPUs)")
    ap.add_argument("--data-dir", default=os.environ.get("DEEPNETS_DATA", os.path.join(REPO, "..", "shared", "datasets")))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    models = [m.strip() for m in a.models.split(",") if m.strip()]
    for m in models:
        if m not in MODELS:
            ap.error(f"unknown model {m!r}; known: {', '.join(MODELS)}")
    if a.cosine and a.milestones:
        ap.error("--cosine and --milestones are two schedules; give one")
    if a.mode == "params":
        params(models, a.layers)
        return
    for name in models:
        if a.mode == "profile":
            profile(name, a.data_dir, a.steps, a.warmup, a.batch)
        else:
            train(name, a.data_dir, a.seconds, a.warmup, a.epochs, a.batch,
                  milestones=[float(f) for f in a.milestones.split(",") if f], drop=a.drop, cosine=a.cosine)


if __name__ == "__main__":
    main()
