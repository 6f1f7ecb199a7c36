package io.deepnets.lowlevel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deepnets.BadInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

/** The exercise's inputs: the assignment's image and filters, or ones read from JSON, and the dense weights. */
public final class LowLevelInput {
    public static final double DENSE_BIAS = 1.0;
    public static final int DENSE_OUTPUTS = 3;

    private LowLevelInput() {
    }

    /** The 6x6x2 image of the assignment, the assignments applied in the order it lists them. */
    public static double[][][] assignmentImage() {
        double[][][] x = new double[6][6][2];
        for (double[][] row : x) {
            for (double[] px : row) {
                java.util.Arrays.fill(px, 1.0);
            }
        }
        for (int c = 0; c < 6; c++) {
            x[0][c][0] = -1;
        }
        x[0][4][1] = 7;
        for (int ch = 0; ch < 2; ch++) {
            x[1][2][ch] = 2;
            x[1][3][ch] = 2;
        }
        x[1][3][1] = 4;
        x[1][4][0] = 1;
        x[1][4][1] = 1;
        x[2][3][1] = 9;
        x[2][3][0] = 8;
        x[3][5][0] = 3;
        x[3][5][1] = 3;
        x[3][4][1] = 4;
        x[4][2][0] = 6;
        x[4][3][0] = 6;
        x[4][4][1] = 7;
        x[5][5][1] = 8;
        for (int c = 0; c < 6; c++) {
            x[5][c][0] = 2;
        }
        return x;
    }

    /** The two 3x3x2 filters of the assignment. */
    public static double[][][][] assignmentFilters() {
        double[][][][] f = new double[2][3][3][2];
        for (int c = 0; c < 3; c++) {
            f[0][0][c][1] = 1;
            f[0][2][c][0] = -1;
            f[1][0][c][0] = -1;
            f[1][0][c][1] = 1;
            f[1][2][c][0] = 1;
            f[1][2][c][1] = -1;
        }
        return f;
    }

    /**
     * Dense weights {@code [inputs][3]}, uniform in [0, 1), drawn row by row with {@code java.util.Random(seed)}.
     */
    public static double[][] denseWeights(int inputs, long seed) {
        Random random = new Random(seed);
        double[][] w = new double[inputs][DENSE_OUTPUTS];
        for (double[] row : w) {
            for (int j = 0; j < row.length; j++) {
                row[j] = random.nextDouble();
            }
        }
        return w;
    }

    /** An image from JSON: a nested list (rows, columns, channels) of numbers. */
    public static double[][][] readImage(Path file) {
        JsonNode node = read(file);
        double[][][] x = rank3(file, node, "the image (rows x columns x channels)");
        return x;
    }

    /** Filters from JSON: a nested list (filter, rows, columns, channels) of numbers. */
    public static double[][][][] readFilters(Path file) {
        JsonNode node = read(file);
        if (!node.isArray() || node.isEmpty()) {
            throw new BadInputException(file + ": expected a non-empty list of filters, each rows x columns x channels");
        }
        double[][][][] f = new double[node.size()][][][];
        for (int i = 0; i < node.size(); i++) {
            f[i] = rank3(file, node.get(i), "filter " + i + " (rows x columns x channels)");
            if (i > 0 && (f[i].length != f[0].length || f[i][0].length != f[0][0].length || f[i][0][0].length != f[0][0][0].length)) {
                throw new BadInputException(file + ": filter " + i + " is " + shape(f[i]) + " but filter 0 is " + shape(f[0]) + "; all filters need one shape");
            }
        }
        return f;
    }

    static String shape(double[][][] x) {
        return x.length + "x" + x[0].length + "x" + x[0][0].length;
    }

    private static JsonNode read(Path file) {
        if (java.nio.file.Files.isDirectory(file)) {
            throw new BadInputException(file + ": is a folder, expected a JSON file");
        }
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (java.io.FileNotFoundException e) {
            throw new BadInputException(file + ": no such file");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadInputException(file + ": not valid JSON (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")", e);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + io.deepnets.FailureText.describe(e) + ")", e);
        }
    }

    private static double[][][] rank3(Path file, JsonNode node, String what) {
        if (!node.isArray() || node.isEmpty() || !node.get(0).isArray() || node.get(0).isEmpty() || !node.get(0).get(0).isArray()
                || node.get(0).get(0).isEmpty()) {
            throw new BadInputException(file + ": expected " + what + " as a nested list of numbers");
        }
        int rows = node.size();
        int cols = node.get(0).size();
        int channels = node.get(0).get(0).size();
        double[][][] x = new double[rows][cols][channels];
        for (int r = 0; r < rows; r++) {
            JsonNode row = node.get(r);
            if (!row.isArray() || row.size() != cols) {
                throw new BadInputException(file + ": " + what + ": row " + r + " has " + row.size() + " columns, expected " + cols);
            }
            for (int c = 0; c < cols; c++) {
                JsonNode px = row.get(c);
                if (!px.isArray() || px.size() != channels) {
                    throw new BadInputException(file + ": " + what + ": [" + r + "][" + c + "] has " + px.size() + " channels, expected " + channels);
                }
                for (int k = 0; k < channels; k++) {
                    if (!px.get(k).isNumber()) {
                        throw new BadInputException(file + ": " + what + ": [" + r + "][" + c + "][" + k + "] is not a number: " + px.get(k));
                    }
                    x[r][c][k] = px.get(k).asDouble();
                }
            }
        }
        return x;
    }
}
