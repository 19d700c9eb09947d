package dev.lethe.eval;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The retrained model's AUC that {@code privleak_published} is relative to instead of a reference model of the run:
 * MUSE's published value for a corpus ({@link MuseRetrainAuc}), or a number the researcher gives (another published
 * AUC of the same score, e.g. of a retrained model evaluated elsewhere). Written in a recipe as the privacy suite's
 * {@code privleak_retrain_auc: news}, {@code books} or a number in (0, 1).
 *
 * @param auc the AUC, in (0, 1): PrivLeak divides by it
 * @param corpus the corpus whose published AUC it is, or null for a number given as such
 */
public record RetrainAuc(double auc, @Nullable MuseRetrainAuc corpus) {
    /** Checks that the AUC is in (0, 1) and is the corpus's when there is one. */
    public RetrainAuc {
        if (!(auc > 0 && auc < 1)) {
            throw new IllegalArgumentException("privleak_retrain_auc must be in (0, 1) (PrivLeak divides by it; 1 "
                    + "would be a retrained model that tells forget from holdout perfectly), was " + auc);
        }
        if (corpus != null && auc != corpus.auc()) {
            throw new IllegalArgumentException("privleak_retrain_auc of " + corpus + " is " + corpus.auc() + ", not "
                    + auc);
        }
    }

    /** MUSE's published AUC of {@code corpus}. */
    public static RetrainAuc of(MuseRetrainAuc corpus) {
        return new RetrainAuc(corpus.auc(), corpus);
    }

    /** A retrain AUC given as a number. */
    public static RetrainAuc of(double auc) {
        return new RetrainAuc(auc, null);
    }

    /** As a recipe file writes it: the corpus, or the number. */
    Object spelled() {
        return corpus == null ? (Object) auc : corpus;
    }

    /** E.g. {@code news (MUSE's AUC_RETRAIN 0.47719999999999996)}, or {@code 0.5} for a number given. */
    @Override
    public String toString() {
        return corpus == null ? Double.toString(auc)
                : corpus.name().toLowerCase(Locale.ROOT) + " (MUSE's AUC_RETRAIN " + auc + ")";
    }
}
