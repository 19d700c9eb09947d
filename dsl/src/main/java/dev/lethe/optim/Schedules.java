package dev.lethe.optim;

import static dev.lethe.part.ParamTypes.choice;
import static dev.lethe.part.ParamTypes.integer;
import static dev.lethe.part.ParamTypes.list;
import static dev.lethe.part.ParamTypes.longInteger;
import static dev.lethe.part.ParamTypes.path;
import static dev.lethe.part.ParamTypes.real;
import static dev.lethe.part.ParamTypes.text;

import dev.lethe.part.ContentInput;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.PartText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Learning-rate schedules, as values. */
public final class Schedules {
    /** The schedule slot's vocabulary, in the order {@code lethe list} shows it. */
    public static final List<Kind<? extends Schedule>> KINDS = List.of(
            Constant.KIND,
            LinearDecay.KIND,
            Cosine.KIND,
            Rewarm.KIND,
            Refined.KIND,
            RefinedFromRun.KIND);

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
     * Re-warm + re-decay over {@code cycles} equal phases of the stage, for continual phases (Ibrahim et al.
     * 2024, "Simple and Scalable Strategies to Continually Pre-train Large Language Models"): each phase
     * warms up linearly to η over {@code warmupSteps}, then decays by a half cosine to 0.
     */
    public static Schedule rewarm(double lr, long warmupSteps, int cycles) {
        return new Rewarm(lr, 0, warmupSteps, cycles);
    }

    /** Re-warm + re-decay as {@link #rewarm(double, long, int)}, decaying to {@code minLr} in each phase. */
    public static Schedule rewarm(double lr, double minLr, long warmupSteps, int cycles) {
        return new Rewarm(lr, minLr, warmupSteps, cycles);
    }

    /**
     * The refined schedule of Defazio et al. 2023 ("When, Why and How Much? Adaptive Learning Rate
     * Scheduling by Refinement", arXiv 2310.07831, Algorithm 1) from the gradient norms ‖g_t‖ of a previous run,
     * without smoothing: w_t = ‖g_t‖⁻², η_t ∝ w_t·Σ_{s&gt;t} w_s, normalised so that the largest η_t is
     * {@code lr}. The last step gets 0.
     */
    public static Schedule refined(double lr, double[] gradientNorms) {
        return Refined.of(lr, gradientNorms, 1, Norm.L2);
    }

    /**
     * The refined schedule with the norms first smoothed by a centred running median of width
     * {@code medianWidth} (odd; the paper uses about a tenth of the run), truncated at both ends.
     */
    public static Schedule refined(double lr, double[] gradientNorms, int medianWidth) {
        return Refined.of(lr, gradientNorms, medianWidth, Norm.L2);
    }

    /**
     * The refined schedule from norms of the kind {@code norm}: {@link Norm#L2} (w_t = ‖g_t‖₂⁻², for SGD) or
     * {@link Norm#L1} (w_t = ‖g_t‖₁⁻¹, the variant the authors use for Adam), median-smoothed with width
     * {@code medianWidth}.
     */
    public static Schedule refined(double lr, double[] gradientNorms, int medianWidth, Norm norm) {
        return Refined.of(lr, gradientNorms, medianWidth, norm);
    }

    /**
     * The refined schedule derived from a previous Lethe run: the gradient norms that run's event log
     * ({@code events.jsonl} of its run directory, or the file itself) holds for the training stage {@code stage}
     * ({@code grad_norm} or {@code grad_l1_norm} of its {@code progress} lines), refined as
     * {@link #refined(double, double[], int, Norm)}. Read now; the schedule holds the rates.
     *
     * @throws IllegalArgumentException naming the file and line when the log has no usable norms for the stage
     */
    public static Schedule refinedFromRun(Path events, String stage, double lr, int medianWidth, Norm norm) {
        return Refined.of(lr, RunGradientNorms.read(events, stage, norm), medianWidth, norm);
    }

    /** Which gradient norm a refined schedule weighs the steps by (Defazio et al. 2023). */
    public enum Norm {
        /** w_t = ‖g_t‖₂⁻²: the refinement for SGD (their Algorithm 1). */
        L2,
        /** w_t = ‖g_t‖₁⁻¹: the variant for Adam and other coordinate-wise methods. */
        L1
    }

    /**
     * A constant learning rate.
     *
     * @param lr η
     */
    public record Constant(double lr) implements Schedule {
        /** The schedule {@code constant}. */
        public static final Kind<Constant> KIND = Kind.of("constant", Constant.class, "η_t = η",
                List.of(Param.required("lr", real(Range.nonNegative()), "peak value η", Constant::lr)),
                a -> new Constant(a.real("lr")));

        /** As a recipe file writes it ({@link PartText}). */
        @Override
        public String toString() {
            return PartText.of(this, List.of(KIND));
        }

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
        /** The schedule {@code linear_decay}. */
        public static final Kind<LinearDecay> KIND = Kind.of("linear_decay", LinearDecay.class,
                "linear warm-up, then linear decay to 0 (Defazio et al. 2023)",
                List.of(Param.required("lr", real(Range.nonNegative()), "peak value η", LinearDecay::lr),
                        Param.of("warmup_steps", longInteger(0), 0L, "linear warm-up length (0 for none)",
                                LinearDecay::warmupSteps)),
                a -> new LinearDecay(a.real("lr"), a.longInteger("warmup_steps")));

        /** As a recipe file writes it ({@link PartText}). */
        @Override
        public String toString() {
            return PartText.of(this, List.of(KIND));
        }

        @Override
        public double at(long step, long totalSteps) {
            double progress = afterWarmup(step, totalSteps, warmupSteps);
            return progress < 0 ? lr * (step + 1) / warmupSteps : lr * Math.max(0.0, 1.0 - progress);
        }
    }

    /**
     * Linear warm-up, then cosine decay: η_t = η·½(1 + cos(π·(t − w)/(T − w))).
     *
     * @param lr peak η
     * @param warmupSteps warm-up length (0 for none)
     */
    public record Cosine(double lr, long warmupSteps) implements Schedule {
        /** The schedule {@code cosine}. */
        public static final Kind<Cosine> KIND = Kind.of("cosine", Cosine.class,
                "linear warm-up, then half a cosine to 0 (Loshchilov & Hutter 2017)",
                List.of(Param.required("lr", real(Range.nonNegative()), "peak value η", Cosine::lr),
                        Param.of("warmup_steps", longInteger(0), 0L, "linear warm-up length (0 for none)",
                                Cosine::warmupSteps)),
                a -> new Cosine(a.real("lr"), a.longInteger("warmup_steps")));

        /** As a recipe file writes it ({@link PartText}). */
        @Override
        public String toString() {
            return PartText.of(this, List.of(KIND));
        }

        @Override
        public double at(long step, long totalSteps) {
            double progress = afterWarmup(step, totalSteps, warmupSteps);
            return progress < 0 ? lr * (step + 1) / warmupSteps
                    : lr * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, progress)));
        }
    }

    /**
     * Re-warm + re-decay: the stage's T steps are cut into {@code cycles} phases of ⌈T/cycles⌉ steps (the
     * last may be shorter); in each, a linear warm-up from η/w to η over w steps, then
     * η_min + (η − η_min)·½(1 + cos(π·(t' − w)/(P − w))), t' the step within the phase of length P.
     *
     * @param lr peak η
     * @param minLr η_min, reached at the end of each phase
     * @param warmupSteps w, warm-up length within each phase (0 for none)
     * @param cycles number of phases (≥ 1)
     */
    public record Rewarm(double lr, double minLr, long warmupSteps, int cycles) implements Schedule {
        /** The schedule {@code rewarm}. */
        public static final Kind<Rewarm> KIND = Kind.of("rewarm", Rewarm.class,
                "re-warm and re-decay in equal phases (Ibrahim et al. 2024)",
                List.of(Param.required("lr", real(Range.nonNegative()), "peak value η", Rewarm::lr),
                        Param.of("min_lr", real(Range.nonNegative()), 0.0, "η at the end of each phase", Rewarm::minLr),
                        Param.of("warmup_steps", longInteger(0), 0L, "linear warm-up length (0 for none)",
                                Rewarm::warmupSteps),
                        Param.of("cycles", integer(1), 1, "number of phases", Rewarm::cycles)),
                a -> new Rewarm(a.real("lr"), a.real("min_lr"), a.longInteger("warmup_steps"), a.integer("cycles")));

        /** As a recipe file writes it ({@link PartText}). */
        @Override
        public String toString() {
            return PartText.of(this, List.of(KIND));
        }

        /** Checks the arguments. */
        public Rewarm {
            if (cycles < 1 || warmupSteps < 0) {
                throw new IllegalArgumentException("need cycles >= 1 and warmupSteps >= 0");
            }
        }

        @Override
        public double at(long step, long totalSteps) {
            long phase = Math.max(1, (totalSteps + cycles - 1) / cycles);
            long start = (step / phase) * phase;
            long length = Math.max(1, Math.min(phase, totalSteps - start));
            long t = step - start;
            if (t < warmupSteps) {
                return lr * (t + 1) / warmupSteps;
            }
            long span = Math.max(1, length - warmupSteps);
            double progress = Math.min(1.0, (double) (t - warmupSteps) / span);
            return minLr + (lr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
        }
    }

    /**
     * A schedule given step by step (e.g. {@link Schedules#refined}); a stage of T steps reads entry
     * ⌊t·n/T⌋ of the n rates, so it stretches or squeezes to the stage's length.
     *
     * @param rates η_0 .. η_{n−1}
     */
    public record Refined(List<Double> rates) implements Schedule {
        /** The schedule {@code refined}. */
        public static final Kind<Refined> KIND = Kind.of("refined", Refined.class,
                "η step by step, stretched to the stage (Defazio et al. 2023's refinement)",
                List.of(Param.required("rates", list(real(Range.nonNegative()), 1), "η_0 .. η_{n−1}", Refined::rates)),
                a -> new Refined(a.list("rates")));

        /** As a recipe file writes it ({@link PartText}). */
        @Override
        public String toString() {
            return PartText.of(this, List.of(KIND));
        }

        /** Copies the rates. */
        public Refined {
            if (rates.isEmpty()) {
                throw new IllegalArgumentException("no rates");
            }
            rates = List.copyOf(rates);
        }

        /**
         * Defazio et al.'s refinement of {@code gradientNorms}, median-smoothed with width {@code medianWidth}:
         * w_t = m_t⁻² ({@link Norm#L2}) or m_t⁻¹ ({@link Norm#L1}), m_t the smoothed norm.
         */
        static Refined of(double lr, double[] gradientNorms, int medianWidth, Norm norm) {
            int n = gradientNorms.length;
            if (n == 0 || medianWidth < 1 || medianWidth % 2 == 0) {
                throw new IllegalArgumentException("need norms and an odd median width >= 1");
            }
            double[] w = new double[n];
            for (int t = 0; t < n; t++) {
                int lo = Math.max(0, t - medianWidth / 2);
                int hi = Math.min(n, t + medianWidth / 2 + 1);
                double[] window = Arrays.copyOfRange(gradientNorms, lo, hi);
                Arrays.sort(window);
                int m = window.length;
                double median = m % 2 == 1 ? window[m / 2] : 0.5 * (window[m / 2 - 1] + window[m / 2]);
                if (!(median > 0) || !Double.isFinite(median)) {
                    throw new IllegalArgumentException("gradient norms must be positive and finite, got " + median);
                }
                w[t] = norm == Norm.L2 ? 1 / (median * median) : 1 / median;
            }
            double[] eta = new double[n];
            double tail = 0;
            double peak = 0;
            for (int t = n - 1; t >= 0; t--) {
                eta[t] = w[t] * tail;
                tail += w[t];
                peak = Math.max(peak, eta[t]);
            }
            List<Double> rates = new ArrayList<>(n);
            for (double e : eta) {
                rates.add(peak > 0 ? lr * e / peak : lr);
            }
            return new Refined(rates);
        }

        @Override
        public double at(long step, long totalSteps) {
            int n = rates.size();
            long i = totalSteps <= 0 ? step : step * n / totalSteps;
            return rates.get((int) Math.max(0, Math.min(n - 1, i)));
        }
    }

    /**
     * Defazio et al.'s refined schedule derived from a previous Lethe run's event log ({@link Schedules#refinedFromRun}),
     * as a recipe writes it: {@code refined_from_run: {events: runs/first, stage: unlearn, lr: 1.0e-4, norm: l1}}.
     * The norms are read when the schedule is first used (a recipe can be written before the run it reads exists),
     * once per schedule. Its {@link #content()}, the rates it derived, is what the model cache keys, not the path.
     */
    public static final class RefinedFromRun implements Schedule, ContentInput {
        /** The schedule {@code refined_from_run}. */
        public static final Kind<RefinedFromRun> KIND = Kind.of("refined_from_run", RefinedFromRun.class,
                "Defazio et al. 2023's refinement of a previous run's logged gradient norms (norm: l2 for SGD, "
                        + "l1 for Adam)",
                List.of(Param.required("events", path(), "the run directory or its events.jsonl",
                                RefinedFromRun::events),
                        Param.of("stage", text(), "unlearn", "the stage whose steps' norms are used",
                                RefinedFromRun::stage),
                        Param.required("lr", real(Range.nonNegative()), "peak value η", RefinedFromRun::lr),
                        Param.of("median_width", integer(1), 1, "running-median width (odd; 1: none)",
                                RefinedFromRun::medianWidth),
                        Param.of("norm", choice(Norm.class), Norm.L2, "l2: w = ‖g‖₂⁻² (SGD); l1: w = ‖g‖₁⁻¹ (Adam)",
                                RefinedFromRun::norm)),
                a -> new RefinedFromRun(a.get("events"), a.text("stage"), a.real("lr"), a.integer("median_width"),
                        a.get("norm")));

        private final Path events;
        private final String stage;
        private final double lr;
        private final int medianWidth;
        private final Norm norm;
        private volatile @Nullable Refined rates;

        /**
         * @param events the run directory or its {@code events.jsonl}
         * @param stage the training stage whose steps' norms are used (e.g. {@code unlearn})
         * @param lr the peak η
         * @param medianWidth the running median's width (odd ≥ 1; 1: no smoothing)
         * @param norm L2 (for SGD) or L1 (the authors' variant for Adam)
         */
        public RefinedFromRun(Path events, String stage, double lr, int medianWidth, Norm norm) {
            if (medianWidth < 1 || medianWidth % 2 == 0) {
                throw new IllegalArgumentException("refined_from_run needs an odd median_width >= 1, got " + medianWidth);
            }
            this.events = Objects.requireNonNull(events, "events");
            this.stage = Objects.requireNonNull(stage, "stage");
            this.lr = lr;
            this.medianWidth = medianWidth;
            this.norm = Objects.requireNonNull(norm, "norm");
        }

        /** The run directory or its {@code events.jsonl}. */
        public Path events() {
            return events;
        }

        /** The training stage whose steps' norms are used. */
        public String stage() {
            return stage;
        }

        /** The peak η. */
        public double lr() {
            return lr;
        }

        /** The running median's width. */
        public int medianWidth() {
            return medianWidth;
        }

        /** Which norm weighs the steps. */
        public Norm norm() {
            return norm;
        }

        /**
         * The refined rates, read from the log the first time they are asked for.
         *
         * @throws IllegalArgumentException naming the file and line when the log has no usable norms
         */
        public Refined rates() {
            Refined read = rates;
            if (read == null) {
                synchronized (this) {
                    read = rates;
                    if (read == null) {
                        read = Refined.of(lr, RunGradientNorms.read(events, stage, norm), medianWidth, norm);
                        rates = read;
                    }
                }
            }
            return read;
        }

        /** The rates this schedule derived from the log, one per line: what it read, not where. */
        @Override
        public String content() {
            StringBuilder sb = new StringBuilder();
            for (double r : rates().rates()) {
                sb.append(r).append('\n');
            }
            return sb.toString();
        }

        @Override
        public double at(long step, long totalSteps) {
            return rates().at(step, totalSteps);
        }

        /** Equal when the parameters are (the log is read later, by each). */
        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof RefinedFromRun r && events.equals(r.events) && stage.equals(r.stage)
                    && Double.compare(lr, r.lr) == 0 && medianWidth == r.medianWidth && norm == r.norm;
        }

        @Override
        public int hashCode() {
            return Objects.hash(events, stage, lr, medianWidth, norm);
        }

        /** As a recipe file writes it ({@link PartText}). */
        @Override
        public String toString() {
            return PartText.of(this, List.of(KIND));
        }
    }

    /** −1 during warm-up, else the fraction (t − w)/(T − w) of the steps after it (at least one step long). */
    private static double afterWarmup(long step, long totalSteps, long warmupSteps) {
        return step < warmupSteps ? -1 : (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    }
}
