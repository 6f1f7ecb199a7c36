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
 * (Jackson, by class name), so a resumed run continues the same schedule. With stochastic weight averaging the rate
 * is held at the averaging rate from the first averaged epoch on, whatever the schedule would give (PyTorch's
 * {@code SWALR} taking over from the schedule); without a schedule it is the optimizer's constant rate until then.
 */
public final class KerasLearningRateSchedule implements ISchedule {
    private final TrainingCallbacks.Schedule schedule;
    private final double initial;
    private final int swaEpoch;
    private final double swaRate;

    public KerasLearningRateSchedule(TrainingCallbacks.Schedule schedule, double initial) {
        this(schedule, initial, -1, 0);
    }

    /**
     * @param schedule the Keras schedule, or null for the constant {@code initial}
     * @param swaEpoch the 0-based epoch from which the rate is {@code swaRate}, or -1 for none
     */
    public KerasLearningRateSchedule(TrainingCallbacks.Schedule schedule, double initial, int swaEpoch, double swaRate) {
        if (schedule == null && swaEpoch < 0) {
            throw new IllegalArgumentException("a schedule or an averaging epoch is needed");
        }
        this.schedule = schedule;
        this.initial = initial;
        this.swaEpoch = swaEpoch;
        this.swaRate = swaRate;
    }

    @JsonCreator
    KerasLearningRateSchedule(@JsonProperty("type") String type, @JsonProperty("initial") double initial, @JsonProperty("drop") double drop,
            @JsonProperty("everyEpochs") int everyEpochs, @JsonProperty("decayRate") double decayRate, @JsonProperty("decaySteps") long decaySteps,
            @JsonProperty("staircase") boolean staircase, @JsonProperty("alpha") double alpha, @JsonProperty("warmupSteps") long warmupSteps,
            @JsonProperty("warmupTarget") Double warmupTarget, @JsonProperty("boundaries") List<Long> boundaries,
            @JsonProperty("values") List<Double> values, @JsonProperty("milestones") List<Double> milestones, @JsonProperty("epochs") int epochs,
            @JsonProperty("swaEpoch") Integer swaEpoch, @JsonProperty("swaRate") Double swaRate) {
        // Absent in model.zip files written before averaging existed: no averaging.
        this(type == null ? null : new TrainingCallbacks.Schedule(type, drop, everyEpochs, decayRate, decaySteps, staircase, alpha, warmupSteps,
                warmupTarget, boundaries, values, milestones, epochs), initial, swaEpoch == null ? -1 : swaEpoch, swaRate == null ? 0 : swaRate);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (swaEpoch >= 0 && epoch >= swaEpoch) {
            return swaRate;
        }
        return schedule == null ? initial : schedule.valueAt(initial, iteration, epoch);
    }

    @Override
    public ISchedule clone() {
        return new KerasLearningRateSchedule(schedule, initial, swaEpoch, swaRate);
    }

    // The properties Jackson writes into model.zip (the schedule's null without one).
    @JsonProperty("type")
    public String type() {
        return schedule == null ? null : schedule.type();
    }

    @JsonProperty("swaEpoch")
    public int swaEpoch() {
        return swaEpoch;
    }

    @JsonProperty("swaRate")
    public double swaRate() {
        return swaRate;
    }

    @JsonProperty("initial")
    public double initial() {
        return initial;
    }

    @JsonProperty("drop")
    public double drop() {
        return schedule == null ? 0 : schedule.drop();
    }

    @JsonProperty("everyEpochs")
    public int everyEpochs() {
        return schedule == null ? 0 : schedule.everyEpochs();
    }

    @JsonProperty("decayRate")
    public double decayRate() {
        return schedule == null ? 0 : schedule.decayRate();
    }

    @JsonProperty("decaySteps")
    public long decaySteps() {
        return schedule == null ? 0 : schedule.decaySteps();
    }

    @JsonProperty("staircase")
    public boolean staircase() {
        return schedule != null && schedule.staircase();
    }

    @JsonProperty("alpha")
    public double alpha() {
        return schedule == null ? 0 : schedule.alpha();
    }

    @JsonProperty("warmupSteps")
    public long warmupSteps() {
        return schedule == null ? 0 : schedule.warmupSteps();
    }

    @JsonProperty("warmupTarget")
    public Double warmupTarget() {
        return schedule == null ? null : schedule.warmupTarget();
    }

    @JsonProperty("boundaries")
    public List<Long> boundaries() {
        return schedule == null ? null : schedule.boundaries();
    }

    @JsonProperty("values")
    public List<Double> values() {
        return schedule == null ? null : schedule.values();
    }

    @JsonProperty("milestones")
    public List<Double> milestones() {
        return schedule == null ? null : schedule.milestones();
    }

    @JsonProperty("epochs")
    public int epochs() {
        return schedule == null ? 0 : schedule.epochs();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KerasLearningRateSchedule k && Objects.equals(k.schedule, schedule) && k.initial == initial && k.swaEpoch == swaEpoch
                && k.swaRate == swaRate;
    }

    @Override
    public int hashCode() {
        return Objects.hash(schedule, initial, swaEpoch, swaRate);
    }
}
