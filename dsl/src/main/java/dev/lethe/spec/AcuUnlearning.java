package dev.lethe.spec;

import static dev.lethe.part.ParamTypes.integer;

import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code acu_unlearn} stage: ACU's unlearning requests (Tang et al. 2025, arXiv 2505.12239, method section, recursive
 * analytic unlearning), gradient-free and exact. The current model must carry an analytic head
 * ({@link AcuLearning}); the forget split is cut into {@code requests} disjoint, contiguous chunks (as a sequential
 * {@link Unlearning} cuts it), and each request removes its examples' rows from the head by the Woodbury downdate
 * R' = R + R X_uᵀ(I − X_u R X_uᵀ)⁻¹X_u R, W' = W − R'X_uᵀ(Y_u − X_u W) (one downdate per example), without the retained
 * data: afterwards the head is the ridge solution on what was learned and not forgotten. Each example is checked to
 * be a member first (learned, not yet forgotten, features unchanged), and the request is refused otherwise. The
 * backbone's weights are untouched. The result becomes the current model, called {@code unlearned}; with several
 * requests, each is checkpointed and evaluated as a sequential unlearning's are ({@code acu_unlearn.request<i>}).
 *
 * @param requests how many sequential requests the forget split is cut into
 */
public record AcuUnlearning(int requests) implements Stage {
    /** The {@code acu_unlearn} stage in recipe files. */
    public static final Kind<AcuUnlearning> KIND = Kind.of("acu_unlearn", AcuUnlearning.class,
            "ACU (arXiv 2505.12239): forget the forget split from the current model's analytic head (acu_learn) by "
                    + "exact Woodbury downdates, request by request, without the retained data; it becomes the "
                    + "current model, unlearned",
            List.of(Param.of("requests", integer(1), 1, "sequential requests the forget split is cut into",
                    (AcuUnlearning x) -> x.requests())),
            a -> new AcuUnlearning(a.integer("requests")));

    /** Checks the request count. */
    public AcuUnlearning {
        if (requests < 1) {
            throw new IllegalArgumentException("acu_unlearn: requests must be >= 1, was " + requests);
        }
    }

    @Override
    public String kind() {
        return KIND.name();
    }

    @Override
    public ModelRole produces() {
        return ModelRole.UNLEARNED;
    }

    /** Checkpointed like a training stage (one unit per request); there are no steps to evaluate continually. */
    @Override
    public boolean trains() {
        return true;
    }

    /** Itself: a closed-form request has no steps to evaluate between. */
    @Override
    public Stage withContinual(@Nullable Continual newContinual) {
        return this;
    }
}
