package dev.lethe.optim;

/** Learning-rate schedules, as values. */
public final class Schedules {
    private Schedules() {}

    /** η_t = η. */
    public static Schedule constant(double lr) {
        return new Constant(lr);
    }

    /** η_t = η·(1 − t/T): linear decay to 0 (Defazio et al. 2023, "When, Why and How Much?", §3). */
    public static Schedule linearDecay(double lr) {
        return new LinearDecay(lr, 0);
    }

    /** Linear warm-up over {@code warmupSteps}, then linear decay to 0. */
    public static Schedule warmupLinearDecay(double lr, long warmupSteps) {
        return new LinearDecay(lr, warmupSteps);
    }

    /** Linear warm-up over {@code warmupSteps}, then half a cosine down to 0 (Loshchilov &amp; Hutter 2017). */
    public static Schedule warmupCosine(double lr, long warmupSteps) {
        return new Cosine(lr, warmupSteps);
    }

    /**
     * A constant learning rate.
     *
     * @param lr η
     */
    public record Constant(double lr) implements Schedule {
        @Override
        public double at(long step, long totalSteps) {
            return lr;
        }
    }

    /**
     * Linear warm-up from 0 to η over {@code warmupSteps}, then linear decay to 0 at the last step.
     *
     * @param lr peak η
     * @param warmupSteps warm-up length (0 for none)
     */
    public record LinearDecay(double lr, long warmupSteps) implements Schedule {
        @Override
        public double at(long step, long totalSteps) {
            if (step < warmupSteps) {
                return lr * (step + 1) / warmupSteps;
            }
            long span = Math.max(1, totalSteps - warmupSteps);
            return lr * Math.max(0.0, 1.0 - (double) (step - warmupSteps) / span);
        }
    }

    /**
     * Linear warm-up, then cosine decay: η_t = η·½(1 + cos(π·(t − w)/(T − w))).
     *
     * @param lr peak η
     * @param warmupSteps warm-up length (0 for none)
     */
    public record Cosine(double lr, long warmupSteps) implements Schedule {
        @Override
        public double at(long step, long totalSteps) {
            if (step < warmupSteps) {
                return lr * (step + 1) / warmupSteps;
            }
            long span = Math.max(1, totalSteps - warmupSteps);
            return lr * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, (double) (step - warmupSteps) / span)));
        }
    }
}
