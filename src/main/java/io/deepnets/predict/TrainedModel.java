package io.deepnets.predict;

import io.deepnets.BadInputException;
import io.deepnets.config.ConfigLoader;
import io.deepnets.config.DataConfig;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.config.TensorShape;
import io.deepnets.data.ImageSet;
import io.deepnets.eval.BatchPredictor;
import io.deepnets.eval.MirrorAveragedPredictor;
import io.deepnets.model.NativeRuntime;
import io.deepnets.runs.ConfusionCsv;
import io.deepnets.runs.RunFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import io.deepnets.model.KerasModelMapper;
import io.deepnets.model.Network;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * A trained network with what is needed to feed it: the input shape (Keras order) and the class names. Read from
 * a run folder (model.zip, config.yaml, confusion.csv) or from a model.zip alone (shape from the network,
 * classes numbered).
 */
public record TrainedModel(Network network, TensorShape inputShape, List<String> classNames, String name, ExperimentConfig config) {

    public static TrainedModel load(Path path) {
        Path zip = Files.isDirectory(path) ? path.resolve(RunFolder.MODEL) : path;
        if (!Files.isRegularFile(zip)) {
            throw new BadInputException(Files.isDirectory(path) ? path + ": the folder has no " + RunFolder.MODEL + " (the run did not finish?)"
                    : path + ": no such model file");
        }
        NativeRuntime.configure();
        Path dir = zip.toAbsolutePath().getParent();
        ExperimentConfig config = null;
        boolean graph;
        try {
            graph = Network.isGraph(zip.toFile());
        } catch (IOException | RuntimeException e) {
            graph = false;
        }
        if (Files.isRegularFile(dir.resolve(RunFolder.CONFIG))) {
            config = ConfigLoader.load(dir.resolve(RunFolder.CONFIG), List.of());
        } else if (graph) {
            throw new BadInputException(zip + ": a graph network's model.zip does not record its input's shape; read it from its run folder "
                    + "(with config.yaml beside it)");
        }
        Network net;
        try {
            net = Network.read(zip.toFile(), config == null ? null : KerasModelMapper.imageShape(config.model()), false);
        } catch (IOException | RuntimeException e) {
            if (e instanceof java.nio.file.FileSystemException) {
                throw new BadInputException(zip + ": cannot read (" + io.deepnets.FailureText.describe(e) + ")", e);
            }
            throw new BadInputException(zip + ": not a readable DL4J model (truncated, corrupt or another kind of file); expected the "
                    + RunFolder.MODEL + " of a deepnets run", e);
        }
        if (config != null && net.graph().isPresent()) {
            // DL4J keeps no input shape with a graph: each layer on the input must take as many channels (features) as
            // config.yaml's input gives, or feeding it would fail inside DL4J.
            org.deeplearning4j.nn.graph.ComputationGraph g = net.graph().get();
            TensorShape in = config.model().inputShape();
            long given = in.isImage() ? in.channels() : in.size();
            for (var e : g.getConfiguration().getVertexInputs().entrySet()) {
                if (e.getValue().contains(io.deepnets.config.ModelConfig.INPUT)
                        && g.getConfiguration().getVertices().get(e.getKey()) instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv) {
                    org.deeplearning4j.nn.conf.layers.Layer l = lv.getLayerConf().getLayer();
                    if (l instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayer f) {
                        l = f.getLayer();
                    }
                    if (l instanceof org.deeplearning4j.nn.conf.layers.FeedForwardLayer ff && ff.getNIn() != given) {
                        throw new BadInputException(dir.resolve(RunFolder.CONFIG) + ": model.input_shape " + in.dims() + " does not match "
                                + zip.getFileName() + ", whose layer " + e.getKey() + " takes " + ff.getNIn() + (in.isImage() ? " channels" : " values"));
                    }
                }
            }
        }
        if (config != null && config.model().isGraph() != net.isGraph()) {
            throw new BadInputException(dir.resolve(RunFolder.CONFIG) + ": describes a " + (config.model().isGraph() ? "graph" : "stack of layers")
                    + " but " + zip.getFileName() + " holds a " + (net.isGraph() ? "graph" : "stack") + "; the model and its config do not belong together");
        }
        TensorShape shape = config != null ? config.model().inputShape() : shapeOf(net);
        if (config != null && !net.isGraph() && shape.size() != shapeOf(net).size()) {
            // The run folder's config.yaml was edited or belongs to another model: feeding the network its shape would fail inside DL4J.
            throw new BadInputException(dir.resolve(RunFolder.CONFIG) + ": model.input_shape " + shape.dims() + " does not match "
                    + zip.getFileName() + ", whose network takes " + shapeOf(net).size() + " values per image");
        }
        if (shape.isFlat()) {
            int n = shape.dims().get(0);
            int side = (int) Math.round(Math.sqrt(n));
            int side3 = (int) Math.round(Math.sqrt(n / 3.0));
            shape = side * side == n ? TensorShape.of(side, side, 1) : side3 * side3 * 3 == n ? TensorShape.of(side3, side3, 3) : null;
            if (shape == null) {
                throw new BadInputException(zip + ": the model takes " + n + " values, which is no square grey or RGB image");
            }
        }
        List<String> names = new ArrayList<>();
        long outputs = net.outputLayer().getParam("W").size(1);
        try {
            if (Files.isRegularFile(dir.resolve(RunFolder.CONFUSION))) {
                names.addAll(ConfusionCsv.read(dir.resolve(RunFolder.CONFUSION)).classNames());
            }
        } catch (IOException e) {
            // The model still classifies; its classes are shown by number, and the user is told why.
            System.err.println("warning: " + dir.resolve(RunFolder.CONFUSION) + " is unreadable (" + io.deepnets.FailureText.describe(e)
                    + "); classes are shown as numbers");
            names.clear();
        }
        if (names.size() != outputs) {
            names.clear();
            for (int i = 0; i < outputs; i++) {
                names.add(String.valueOf(i));
            }
        }
        String name = config != null ? config.name() : zip.getFileName().toString();
        return new TrainedModel(net, shape, List.copyOf(names), name, config);
    }

    /**
     * The network's input for {@code img}: for a model trained on a photo folder, the decoding and resize its run
     * used (config.yaml's data section); otherwise the MNIST-style preparation of {@link ImagePreprocessor}.
     */
    public ImagePreprocessor.Prepared prepare(java.awt.image.BufferedImage img, ImagePreprocessor.Invert invert) {
        if (config != null && config.data().folder() != null) {
            float[] pixels = new io.deepnets.data.ImageDecoder(config.data().folder()).prepare(img);
            return new ImagePreprocessor.Prepared(pixels, io.deepnets.data.ImageDecoder.picture(pixels, 0, inputShape), false);
        }
        return ImagePreprocessor.prepare(img, inputShape, invert);
    }

    /**
     * The class probabilities of {@code count} prepared rows, row-major {@code [count, classes]}: the network's output,
     * or with the run's {@code data.test_time_augment} the mean over each image and its mirror image, as the run's
     * test evaluation scored its test images.
     */
    public float[] probabilities(float[] rows, int count) {
        if (!averagesViews()) {
            return output(rows, count);
        }
        // A photo folder's images keep their size and channels whatever the network's input shape says (a flat input
        // of a 16 x 64 image is not the 32 x 32 square the shape would be guessed as); other datasets' images are the
        // input shape.
        DataConfig.ImageFolder folder = config.data().folder();
        TensorShape image = folder != null ? TensorShape.of(folder.height(), folder.width(), folder.channels()) : inputShape;
        int size = rows.length / count;
        BatchPredictor network = (set, from, to) -> output(java.util.Arrays.copyOfRange(set.features(), from * size, to * size), to - from);
        return new MirrorAveragedPredictor(network, image).probabilities(new ImageSet(rows, new int[count], count, size), 0, count);
    }

    /** Whether {@link #probabilities} averages each image with its mirror image (the run's {@code data.test_time_augment}). */
    public boolean averagesViews() {
        return config != null && config.data().testTimeAugment() != null && inputShape.isImage();
    }

    private float[] output(float[] rows, int count) {
        return network.output(org.nd4j.linalg.factory.Nd4j.create(rows, new long[] {count, rows.length / count}, 'c')).dup('c').data().asFloat();
    }

    private static TensorShape shapeOf(Network network) {
        // A graph is only read with its run's config.yaml, which gives the shape.
        MultiLayerNetwork net = network.stack().orElseThrow();
        InputPreProcessor pp = net.getLayerWiseConfigurations().getInputPreProcess(0);
        if (pp instanceof FeedForwardToCnnPreProcessor f) {
            return TensorShape.of((int) f.getInputHeight(), (int) f.getInputWidth(), (int) f.getNumChannels());
        }
        long nIn = ((org.deeplearning4j.nn.conf.layers.FeedForwardLayer) net.getLayer(0).conf().getLayer()).getNIn();
        return TensorShape.of((int) nIn);
    }
}
