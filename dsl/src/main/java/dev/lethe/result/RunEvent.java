package dev.lethe.result;

/** What the runner reports while it works. */
public sealed interface RunEvent {
    /**
     * The stage the event belongs to ({@code learn}, {@code reference}, {@code unlearn}, {@code attack},
     * {@code evaluate}; {@code attack.<name>} for the optimisation steps of a relearning attack).
     */
    String stage();

    /**
     * A stage began.
     *
     * @param stage its name
     * @param totalSteps its steps (models × splits for {@code evaluate}, attacks for {@code attack})
     */
    record StageStarted(String stage, long totalSteps) implements RunEvent {}

    /**
     * One step of a stage finished.
     *
     * @param stage the stage
     * @param step steps done so far (1-based)
     * @param totalSteps steps in the stage
     * @param loss the loss at this step (NaN where the stage has none)
     * @param stepsPerSecond mean speed since the stage began
     * @param gradientNorm the global L2 norm of the step's gradient estimate (the estimator's direction, before
     *     the optimizer's transforms), NaN where the stage has none or the step did not materialise it (fused
     *     MeZO): what a refined schedule is derived from (Defazio et al. 2023)
     * @param gradientL1Norm the L1 norm of that estimate (NaN likewise): the refined schedule's ℓ1 variant
     */
    record Progress(String stage, long step, long totalSteps, double loss, double stepsPerSecond,
            double gradientNorm, double gradientL1Norm) implements RunEvent {
        /** A step without gradient norms (an evaluation or attack stage's progress). */
        public Progress(String stage, long step, long totalSteps, double loss, double stepsPerSecond) {
            this(stage, step, totalSteps, loss, stepsPerSecond, Double.NaN, Double.NaN);
        }
    }

    /**
     * A stage ended.
     *
     * @param stage the stage
     * @param seconds wall time
     * @param stepsDone steps completed
     * @param stopReason why it stopped early (a numeric guard), or empty when it completed
     * @param cached whether the model came from the model cache, or from a checkpoint of a resumed run, instead of
     *     training (its seconds are then those of the training that made it, when known)
     */
    record StageFinished(String stage, double seconds, long stepsDone, String stopReason, boolean cached)
            implements RunEvent {}

    /**
     * A checkpoint was written ({@link Runner#checkpoints}).
     *
     * @param stage the training stage it belongs to
     * @param step the stage's steps done (its total at a stage's end)
     * @param bytes the size of the files written
     * @param seconds how long writing took
     */
    record CheckpointWritten(String stage, long step, long bytes, double seconds) implements RunEvent {}

    /**
     * A {@code guard_it} request was added to the steering bank (GUARD-IT, arXiv 2605.12765): what the event log
     * records of the model's state, which no weight shows.
     *
     * @param stage the request's unit ({@code guard_it}, or {@code guard_it.request<i>})
     * @param layer the steered block's output (1-based)
     * @param clusters the clusters this request added (K of the best silhouette)
     * @param silhouette their silhouette score (NaN for one cluster)
     * @param entries the bank's entries after the request
     * @param bankHash SHA-256 of the bank's settings and arrays (hex), as the model's file stores them
     */
    record SteeringFitted(String stage, int layer, int clusters, double silhouette, int entries, String bankHash)
            implements RunEvent {}
}
