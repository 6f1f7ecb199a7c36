package io.deepnets.model;

import io.deepnets.config.TrainingCallbacks;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A Keras learning-rate schedule as DL4J's {@link ISchedule}, so that the updater (DL4J's {@code fit}, and the
 * fused update that reads the same schedule) takes each step's rate from it: {@code valueAt(iteration, epoch)} is
 * the Keras schedule at 0-based step {@code iteration} of 0-based {@code epoch}. DL4J saves it inside model.zip
 * (Jackson, by class name), so a resumed run continues the same schedule.
 */
public final class KerasLearningRateSchedule implements ISchedule {
    private final TrainingCallbacks.Schedule schedule;
    private final double initial;

    public KerasLearningRateSchedule(TrainingCallbacks.Schedule schedule, double initial) {
        this.schedule = schedule;
        this.initial = initial;
    }

    @JsonCreator
    KerasLearningRateSchedule(@JsonProperty("type") String type, @JsonProperty("initial") double initial, @JsonProperty("drop") double drop,
            @JsonProperty("everyEpochs") int everyEpochs, @JsonProperty("decayRate") double decayRate, @JsonProperty("decaySteps") long decaySteps,
            @JsonProperty("staircase") boolean staircase, @JsonProperty("alpha") double alpha, @JsonProperty("warmupSteps") long warmupSteps,
            @JsonProperty("warmupTarget") Double warmupTarget, @JsonProperty("boundaries") List<Long> boundaries,
            @JsonProperty("values") List<Double> values, @JsonProperty("milestones") List<Double> milestones, @JsonProperty("epochs") int epochs) {
        this(new TrainingCallbacks.Schedule(type, drop, everyEpochs, decayRate, decaySteps, staircase, alpha, warmupSteps, warmupTarget,
                boundaries, values, milestones, epochs), initial);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return schedule.valueAt(initial, iteration, epoch);
    }

    @Override
    public ISchedule clone() {
        return new KerasLearningRateSchedule(schedule, initial);
    }

    // The properties Jackson writes into model.zip.
    @JsonProperty("type")
    public String type() {
        return schedule.type();
    }

    @JsonProperty("initial")
    public double initial() {
        return initial;
    }

    @JsonProperty("drop")
    public double drop() {
        return schedule.drop();
    }

    @JsonProperty("everyEpochs")
    public int everyEpochs() {
        return schedule.everyEpochs();
    }

    @JsonProperty("decayRate")
    public double decayRate() {
        return schedule.decayRate();
    }

    @JsonProperty("decaySteps")
    public long decaySteps() {
        return schedule.decaySteps();
    }

    @JsonProperty("staircase")
    public boolean staircase() {
        return schedule.staircase();
    }

    @JsonProperty("alpha")
    public double alpha() {
        return schedule.alpha();
    }

    @JsonProperty("warmupSteps")
    public long warmupSteps() {
        return schedule.warmupSteps();
    }

    @JsonProperty("warmupTarget")
    public Double warmupTarget() {
        return schedule.warmupTarget();
    }

    @JsonProperty("boundaries")
    public List<Long> boundaries() {
        return schedule.boundaries();
    }

    @JsonProperty("values")
    public List<Double> values() {
        return schedule.values();
    }

    @JsonProperty("milestones")
    public List<Double> milestones() {
        return schedule.milestones();
    }

    @JsonProperty("epochs")
    public int epochs() {
        return schedule.epochs();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KerasLearningRateSchedule k && k.schedule.equals(schedule) && k.initial == initial;
    }

    @Override
    public int hashCode() {
        return Objects.hash(schedule, initial);
    }
}
