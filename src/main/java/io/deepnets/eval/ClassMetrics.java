package io.deepnets.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Per-class precision, recall, F1 and support, and the most-confused pairs, from a confusion matrix
 * ({@code confusion[true][predicted]}).
 */
public record ClassMetrics(List<ClassRow> rows, List<ConfusedPair> mostConfused) {

    /** One class. Precision is 0 when the class was never predicted (as scikit-learn reports it). */
    public record ClassRow(String name, double precision, double recall, double f1, long support) {
    }

    /** {@code count} test samples of class {@code truth} were predicted as {@code predicted}. */
    public record ConfusedPair(String truth, String predicted, long count) {
    }

    public static ClassMetrics of(long[][] confusion, List<String> classNames, int topPairs) {
        int k = confusion.length;
        List<ClassRow> rows = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            long tp = confusion[c][c];
            long support = 0;
            long predicted = 0;
            for (int j = 0; j < k; j++) {
                support += confusion[c][j];
                predicted += confusion[j][c];
            }
            double precision = predicted == 0 ? 0 : (double) tp / predicted;
            double recall = support == 0 ? 0 : (double) tp / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            rows.add(new ClassRow(classNames.get(c), precision, recall, f1, support));
        }
        List<ConfusedPair> pairs = new ArrayList<>();
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                if (t != p && confusion[t][p] > 0) {
                    pairs.add(new ConfusedPair(classNames.get(t), classNames.get(p), confusion[t][p]));
                }
            }
        }
        pairs.sort(Comparator.comparingLong(ConfusedPair::count).reversed().thenComparing(ConfusedPair::truth)
                .thenComparing(ConfusedPair::predicted));
        return new ClassMetrics(rows, List.copyOf(pairs.subList(0, Math.min(topPairs, pairs.size()))));
    }
}
