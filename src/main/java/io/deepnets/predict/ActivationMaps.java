package io.deepnets.predict;

import io.deepnets.runs.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The feature maps of every convolutional layer for one input, before and after its activation, drawn as a grid
 * of tiles (each map scaled to 0..255 on its own) with the layer's name and shape in the title.
 */
public final class ActivationMaps {
    private ActivationMaps() {
    }

    /** One convolutional layer's maps for the input: {@code [channels][rows][cols]}, before and after activation. */
    public record LayerMaps(String name, String activation, float[][][] before, float[][][] after) {
    }

    /**
     * Every convolution's maps for one input (a flat row, channels first), a stack's named {@code conv2d_<k>} by their
     * order, a graph's by their layer names, in the graph's order.
     */
    public static List<LayerMaps> compute(io.deepnets.model.Network net, float[] input) {
        if (net.stack().isPresent()) {
            return compute(net.stack().get(), input);
        }
        org.deeplearning4j.nn.graph.ComputationGraph graph = net.graph().orElseThrow();
        INDArray x = net.input(Nd4j.create(input, new long[] {1, input.length}, 'c'));
        Map<String, INDArray> acts = graph.feedForward(x, false);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        List<LayerMaps> maps = new ArrayList<>();
        for (int v : graph.topologicalSortOrder()) {
            org.deeplearning4j.nn.graph.vertex.GraphVertex vertex = graph.getVertices()[v];
            if (!vertex.hasLayer()) {
                continue;
            }
            Layer layer = vertex.getLayer() instanceof org.deeplearning4j.nn.layers.FrozenLayer f ? f.getInsideLayer() : vertex.getLayer();
            if (!(layer instanceof org.deeplearning4j.nn.layers.convolution.ConvolutionLayer)) {
                continue;
            }
            String from = graph.getConfiguration().getVertexInputs().get(vertex.getVertexName()).get(0);
            INDArray in = acts.containsKey(from) ? acts.get(from) : x;
            maps.add(maps(vertex.getVertexName(), layer, in, acts.get(vertex.getVertexName()), mgr));
        }
        return maps;
    }

    /** One convolution's maps for its input {@code in}: its output before and after ({@code out}) its activation. */
    private static LayerMaps maps(String name, Layer layer, INDArray in, INDArray out, LayerWorkspaceMgr mgr) {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer conf = (org.deeplearning4j.nn.conf.layers.ConvolutionLayer) layer.conf().getLayer();
        IActivation activation = conf.getActivationFn();
        INDArray before;
        try {
            // The same layer with the identity activation: its convolution output before the activation.
            conf.setActivationFn(new ActivationIdentity());
            before = layer.activate(in.dup(), false, mgr).dup();
        } finally {
            conf.setActivationFn(activation);
        }
        return new LayerMaps(name, activation.toString().replace("()", ""), toMaps(before), toMaps(out));
    }

    public static List<LayerMaps> compute(MultiLayerNetwork net, float[] input) {
        INDArray x = Nd4j.create(input, new long[] {1, input.length}, 'c');
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        List<LayerMaps> maps = new ArrayList<>();
        INDArray current = x;
        int convIndex = 0;
        for (int i = 0; i < net.getnLayers(); i++) {
            // A frozen (transferred) layer is DL4J's wrapper around the layer itself: its maps are the inner layer's.
            Layer layer = net.getLayer(i) instanceof org.deeplearning4j.nn.layers.FrozenLayer f ? f.getInsideLayer() : net.getLayer(i);
            InputPreProcessor pp = net.getLayerWiseConfigurations().getInputPreProcess(i);
            if (pp != null) {
                current = pp.preProcess(current, 1, mgr);
            }
            INDArray out = layer.activate(current.dup(), false, mgr).dup();
            if (layer instanceof org.deeplearning4j.nn.layers.convolution.ConvolutionLayer) {
                convIndex++;
                // The Keras name DL4J keeps with the layer; models saved before layers were named have their index there.
                String saved = layer.conf().getLayer().getLayerName();
                String name = saved != null && !saved.matches("\\d+") ? saved : "conv2d_" + convIndex;
                maps.add(maps(name, layer, current, out, mgr));
            }
            current = out;
        }
        return maps;
    }

    private static float[][][] toMaps(INDArray nchw) {
        int c = (int) nchw.size(1);
        int h = (int) nchw.size(2);
        int w = (int) nchw.size(3);
        float[][][] m = new float[c][h][w];
        float[] data = nchw.dup('c').data().asFloat();
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(data, (k * h + y) * w, m[k][y], 0, w);
            }
        }
        return m;
    }

    /** The files {@link #write} creates for {@code layers}. */
    public static List<String> fileNames(List<LayerMaps> layers) {
        List<String> names = new ArrayList<>();
        for (LayerMaps l : layers) {
            names.add(l.name() + "-conv.png");
            names.add(l.name() + "-" + l.activation().toLowerCase(Locale.ROOT) + ".png");
        }
        return names;
    }

    /** Writes {@code <layer>-conv.png} and {@code <layer>-<activation>.png} per layer into {@code out}; returns the files. */
    public static List<Path> write(List<LayerMaps> layers, Path out, String imageName) throws IOException {
        Files.createDirectories(out);
        List<Path> files = new ArrayList<>();
        for (LayerMaps l : layers) {
            Path conv = out.resolve(l.name() + "-conv.png");
            grid(conv, l.name() + " (Conv2D) output before " + l.activation() + ", " + shape(l.before()) + ", for " + imageName, l.before());
            Path act = out.resolve(l.name() + "-" + l.activation().toLowerCase(Locale.ROOT) + ".png");
            grid(act, l.name() + " (Conv2D) output after " + l.activation() + ", " + shape(l.after()) + ", for " + imageName, l.after());
            files.add(conv);
            files.add(act);
        }
        return files;
    }

    static String shape(float[][][] maps) {
        return maps.length + " maps of " + maps[0].length + "x" + maps[0][0].length;
    }

    /** Tiles in rows of 8; every map scaled to 0..255 by its own minimum and maximum. */
    public static void grid(Path file, String title, float[][][] maps) throws IOException {
        BufferedImage img = gridImage(title, maps);
        AtomicFiles.write(file, o -> ImageIO.write(img, "png", o));
    }

    /** The picture {@link #grid} writes. */
    public static BufferedImage gridImage(String title, float[][][] maps) {
        int n = maps.length;
        int h = maps[0].length;
        int w = maps[0][0].length;
        int scale = Math.max(2, 96 / Math.max(h, w));
        int cols = Math.min(8, n);
        int rows = (n + cols - 1) / cols;
        int tile = w * scale;
        int gap = 18;
        int width = Math.max(cols * (tile + 8) + 16, 640);
        int height = 50 + rows * (h * scale + gap + 8);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, 10, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int k = 0; k < n; k++) {
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float[] row : maps[k]) {
                for (float v : row) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
            BufferedImage map = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = max > min ? Math.round((maps[k][y][x] - min) / (max - min) * 255f) : 0;
                    map.getRaster().setSample(x, y, 0, v);
                }
            }
            int x0 = 10 + (k % cols) * (tile + 8);
            int y0 = 45 + (k / cols) * (h * scale + gap + 8);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.drawImage(map, x0, y0, tile, h * scale, null);
            g.drawString("#" + k, x0, y0 + h * scale + 13);
        }
        g.dispose();
        return img;
    }
}
