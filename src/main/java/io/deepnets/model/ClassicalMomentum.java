package io.deepnets.model;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Keras's {@code SGD(momentum=m, nesterov=False)}, classical (heavy-ball) momentum, which DL4J lacks (its
 * {@code Nesterovs} is the other kind): {@code v = m v - lr g; w = w + v}. DL4J subtracts an updater's output from the
 * parameters, so the state kept is u = -v: {@code u = m u + lr g}, and the update is u; the same numbers, negated
 * exactly. The state (one value per parameter) lives in DL4J's updater state view, so it is saved with the model and
 * a resumed run continues exactly. The learning rate may follow a schedule, as DL4J's own updaters' do.
 */
public final class ClassicalMomentum implements IUpdater {
    private double learningRate = 0.01;
    private ISchedule learningRateSchedule;
    private double momentum = 0.9;

    /** For DL4J's JSON (model files); use the other constructors. */
    public ClassicalMomentum() {
    }

    public ClassicalMomentum(double learningRate, double momentum) {
        this.learningRate = learningRate;
        this.momentum = momentum;
    }

    public ClassicalMomentum(ISchedule learningRateSchedule, double momentum) {
        this.learningRateSchedule = learningRateSchedule;
        this.momentum = momentum;
    }

    public double getLearningRate() {
        return learningRate;
    }

    public void setLearningRate(double learningRate) {
        this.learningRate = learningRate;
    }

    public ISchedule getLearningRateSchedule() {
        return learningRateSchedule;
    }

    public void setLearningRateSchedule(ISchedule learningRateSchedule) {
        this.learningRateSchedule = learningRateSchedule;
    }

    public double getMomentum() {
        return momentum;
    }

    public void setMomentum(double momentum) {
        this.momentum = momentum;
    }

    @Override
    public long stateSize(long numParams) {
        return numParams;
    }

    @Override
    public GradientUpdater<ClassicalMomentum> instantiate(INDArray viewArray, boolean initializeViewArray) {
        Updater u = new Updater(this);
        u.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater<ClassicalMomentum> instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        Updater u = new Updater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public ClassicalMomentum clone() {
        ClassicalMomentum c = new ClassicalMomentum(learningRate, momentum);
        c.learningRateSchedule = learningRateSchedule == null ? null : learningRateSchedule.clone();
        return c;
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule schedule) {
        this.learningRate = lr;
        this.learningRateSchedule = schedule;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassicalMomentum c && c.learningRate == learningRate && c.momentum == momentum
                && java.util.Objects.equals(c.learningRateSchedule, learningRateSchedule);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(learningRate, momentum, learningRateSchedule);
    }

    @Override
    public String toString() {
        return "ClassicalMomentum(learningRate=" + learningRate + ", momentum=" + momentum + (learningRateSchedule == null ? "" : ", schedule="
                + learningRateSchedule) + ")";
    }

    /** The state u = -v, one value per parameter, in DL4J's updater state view. */
    static final class Updater implements GradientUpdater<ClassicalMomentum> {
        static final String STATE = "V";
        private final ClassicalMomentum config;
        private INDArray u;

        Updater(ClassicalMomentum config) {
            this.config = config;
        }

        @Override
        public ClassicalMomentum getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> state, boolean initialize) {
            if (!state.containsKey(STATE) || state.size() != 1) {
                throw new IllegalStateException("classical momentum keeps one state array, " + STATE + "; got " + state.keySet());
            }
            u = state.get(STATE);
            if (initialize) {
                u.assign(0);
            }
        }

        @Override
        public Map<String, INDArray> getState() {
            return Map.of(STATE, u);
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
            if (initialize) {
                viewArray.assign(0);
            }
            u = viewArray.reshape(gradientOrder, gradientShape);
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            double lr = config.getLearningRate(iteration, epoch);
            // u = m u + lr g (Keras: v = m v - lr g, v = -u); DL4J then subtracts u from the parameters: w + v.
            u.muli(config.getMomentum()).addi(gradient.muli(lr));
            gradient.assign(u);
        }
    }
}
