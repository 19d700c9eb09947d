package dev.lethe.optim;

import static dev.lethe.part.ParamTypes.part;

import ai.djl.ndarray.NDArray;
import dev.lethe.model.Scalars;
import dev.lethe.model.Weights;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.PartText;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The last link of a descent chain: u ← −η_t·u, with η_t from a {@link Schedule}. */
public record ScaleByLearningRate(Schedule schedule) implements Transform {
    /** The transform {@code scale_by_learning_rate}. */
    public static final Kind<ScaleByLearningRate> KIND = Kind.of("scale_by_learning_rate", ScaleByLearningRate.class,
            "u ← −η_t·u",
            List.of(Param.required("schedule", part(Schedule.SLOT), "η_t", ScaleByLearningRate::schedule)),
            a -> new ScaleByLearningRate(a.get("schedule")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    @Override
    public Updates update(Updates updates, TransformState state, Weights weights, long step, long totalSteps) {
        double lr = schedule.at(step, totalSteps);
        // −η as one 0-dimensional array per type and device and step (the same float), not a Java-wrapped number per
        // parameter
        Map<String, NDArray> factors = new HashMap<>();
        try {
            return updates.map((name, u) -> u.mul(factors.computeIfAbsent(u.getDataType() + "@" + u.getDevice(),
                    key -> Scalars.scalar(u, (float) -lr))));
        } finally {
            factors.values().forEach(NDArray::close);
        }
    }
}
