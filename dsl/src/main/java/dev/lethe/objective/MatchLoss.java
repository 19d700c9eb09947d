package dev.lethe.objective;

/**
 * How a matching objective ({@link OracleMatching}, {@link DatamodelMatching}) compares the trained logits with
 * its target's (Georgiev et al. 2024, "Attribute-to-Delete", arXiv:2410.23232, §3).
 */
public enum MatchLoss {
    /** Mean squared error over answer positions × vocabulary (the paper's). */
    MSE,
    /** Cross-entropy to the target's softmax, mean over answer positions (the paper's option). */
    SOFT_CE
}
