package io.deepnets.sweep;

import io.deepnets.BadInputException;
import io.deepnets.config.ConfigException;
import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.config.SweepConfig;
import io.deepnets.model.MemoryBudget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every point of a sweep resolved into its experiment config and checked, before anything runs or is written:
 * the first bad point stops the sweep with one line naming the axis values that make it bad.
 *
 * @param configs the resolved config of each point, in point order
 */
public record SweepPlan(SweepConfig sweep, Path file, List<SweepConfig.Point> points, List<ExperimentConfig> configs) {

    public static SweepPlan of(SweepConfig sweep, Path file) {
        List<SweepConfig.Point> points = sweep.points();
        List<ExperimentConfig> configs = new ArrayList<>();
        for (SweepConfig.Point p : points) {
            List<String> assignments = sweep.assignments(p);
            try {
                ExperimentConfig c = ConfigLoader.parse(sweep.baseYaml(), assignments);
                MemoryBudget.check(file.toString(), c);
                configs.add(c);
            } catch (ConfigException e) {
                throw new BadInputException(file + ": point " + describe(sweep, p) + ": " + e.getMessage(), e);
            } catch (BadInputException e) {
                throw new BadInputException("point " + describe(sweep, p) + ": " + e.getMessage(), e);
            }
        }
        return new SweepPlan(sweep, file, points, List.copyOf(configs));
    }

    /** {@code learning_rate = 10, l2 = 1e-05}: how messages name a point. */
    static String describe(SweepConfig sweep, SweepConfig.Point p) {
        StringBuilder sb = new StringBuilder();
        for (int a = 0; a < sweep.axes().size(); a++) {
            sb.append(a == 0 ? "" : ", ").append(sweep.axes().get(a).name()).append(" = ").append(SweepConfig.Axis.label(p.values().get(a)));
        }
        return sb.toString();
    }
}
