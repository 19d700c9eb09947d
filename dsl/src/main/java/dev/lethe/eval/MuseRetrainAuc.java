package dev.lethe.eval;

/**
 * MUSE's published AUC of its retrained models (Shi et al. 2024, "MUSE: Machine Unlearning Six-Way Evaluation for
 * Language Models", arXiv:2407.06460, §3 C4 PrivLeak), the denominator of PrivLeak in MUSE's own evaluation when no
 * retrained model is at hand: {@code AUC_RETRAIN[corpus]["forget_holdout_Min-40%"]} in {@code constants.py} of
 * swj0419/muse_bench at commit 75d17627c015956bd4bc37bd823f430546df749d, the key {@code eval.py} uses by default
 * ({@code privleak_auc_key}). It is the ROC AUC of the Min-40% score of the retrained Llama-2-7B models with the
 * {@code privleak} holdout texts as the positive class against the forget texts, the AUC {@code privleak} and
 * {@code privleak_published} take of {@link PrivacySuite#MIN_K} (k = 0.4) with the same orientation
 * ({@link CrossModelMetrics}). {@code constants.py} also lists AUCs of other scores and split pairs
 * ({@code forget_holdout_PPL}, {@code .../zlib}, {@code Min-5%} … {@code Min-60%}, {@code forget_retain2_*}, …);
 * Lethe's PrivLeak reads none of those, so they are not kept here. The values are copied digit for digit as
 * Python prints them.
 */
public enum MuseRetrainAuc {
    /** MUSE-News (BBC news): {@code AUC_RETRAIN["news"]["forget_holdout_Min-40%"]}. */
    NEWS(0.47719999999999996),
    /** MUSE-Books (Harry Potter): {@code AUC_RETRAIN["books"]["forget_holdout_Min-40%"]}. */
    BOOKS(0.5392999999999999);

    /** The key of muse_bench's {@code AUC_RETRAIN} the values are read from. */
    public static final String KEY = "forget_holdout_Min-40%";

    private final double auc;

    MuseRetrainAuc(double auc) {
        this.auc = auc;
    }

    /** The published AUC. */
    public double auc() {
        return auc;
    }
}
