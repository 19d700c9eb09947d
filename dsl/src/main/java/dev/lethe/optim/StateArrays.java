package dev.lethe.optim;

import ai.djl.ndarray.NDArray;
import dev.lethe.model.Weights;
import java.util.Map;

/** Restores the fixed set of arrays of a {@link TransformState} from a checkpoint. */
final class StateArrays {
    private StateArrays() {}

    /**
     * Copies each array of {@code saved} into the same-named array of {@code live}, in place.
     *
     * @throws IllegalArgumentException when the names differ or an array does not fit
     */
    static void restore(Map<String, NDArray> live, Map<String, NDArray> saved, String what) {
        if (!live.keySet().equals(saved.keySet())) {
            throw new IllegalArgumentException("cannot restore " + what + ": the checkpoint has " + saved.size()
                    + " arrays " + preview(saved) + ", the optimizer " + live.size() + " " + preview(live));
        }
        live.forEach((name, a) -> Weights.assign(a, saved.get(name), what + " '" + name + "'"));
    }

    private static String preview(Map<String, NDArray> arrays) {
        return arrays.keySet().stream().limit(3).toList() + (arrays.size() > 3 ? "..." : "");
    }
}
