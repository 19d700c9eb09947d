package dev.lethe.optim;

import static dev.lethe.part.ParamTypes.integer;
import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.lethe.model.Weights;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.PartText;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scales the step by the gradient's signal-to-noise ratio (after OBLR-PO, 2025): over the last
 * {@code window} incoming gradients g₁..g_n (n ≤ window), ḡ = (1/n)Σ gᵢ and
 * SNR = ‖ḡ‖² / ((1/n)Σ ‖gᵢ − ḡ‖²) (all parameters together); u ← min(SNR, maxScale)·u. Put it before
 * {@link ScaleByLearningRate}, so that η_t = η·min(SNR, maxScale). Until two gradients have been seen the
 * updates pass through unscaled.
 *
 * <p>It keeps copies of the last {@code window} gradients (window × the parameter memory), freed as they
 * leave the window and when the optimizer state is closed.
 *
 * @param window how many recent gradients estimate the SNR (≥ 2)
 * @param maxScale the largest factor applied (SNR is unbounded when the gradients agree)
 */
public record ScaleBySnr(int window, double maxScale) implements Transform {
    /** The transform {@code scale_by_snr}. */
    public static final Kind<ScaleBySnr> KIND = Kind.of("scale_by_snr", ScaleBySnr.class,
            "scale by the gradients' signal-to-noise ratio",
            List.of(Param.of("window", integer(2), 10, "recent gradients used", ScaleBySnr::window),
                    Param.of("max_scale", real(Range.positive()), 10.0, "largest factor", ScaleBySnr::maxScale)),
            a -> new ScaleBySnr(a.integer("window"), a.real("max_scale")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** Checks the arguments. */
    public ScaleBySnr {
        if (window < 2 || !(maxScale > 0)) {
            throw new IllegalArgumentException("need window >= 2 and maxScale > 0, got " + window + ", " + maxScale);
        }
    }

    /**
     * The recent gradients, oldest first, owned by {@code manager}.
     *
     * @param history copies of the last gradients
     * @param manager the optimizer state's manager
     */
    public record History(Deque<Updates> history, NDManager manager) implements TransformState {
        /** {@code <i>.<name>}: the {@code i}-th gradient kept, oldest first. */
        @Override
        public Map<String, NDArray> arrays() {
            Map<String, NDArray> out = new LinkedHashMap<>();
            int i = 0;
            for (Updates u : history) {
                int index = i++;
                u.asMap().forEach((name, a) -> out.put(index + "." + name, a));
            }
            return out;
        }

        /** Replaces the kept gradients by copies of {@code saved}'s. */
        @Override
        public void restore(Map<String, NDArray> saved) {
            history.forEach(u -> u.asMap().values().forEach(NDArray::close));
            history.clear();
            TreeMap<Integer, Map<String, NDArray>> byIndex = new TreeMap<>();
            saved.forEach((key, a) -> {
                int dot = key.indexOf('.');
                if (dot <= 0 || !key.substring(0, dot).chars().allMatch(Character::isDigit)) {
                    throw new IllegalArgumentException("the SNR history has no array '" + key + "'");
                }
                NDArray c = a.duplicate();
                c.attach(manager);
                NDScope.unregister(c);
                byIndex.computeIfAbsent(Integer.parseInt(key.substring(0, dot)), k -> new LinkedHashMap<>())
                        .put(key.substring(dot + 1), c);
            });
            byIndex.values().forEach(m -> history.addLast(new Updates(m)));
        }
    }

    @Override
    public TransformState init(Weights weights, NDManager manager) {
        return new History(new ArrayDeque<>(), manager);
    }

    @Override
    public Updates update(Updates updates, TransformState state, Weights weights, long step, long totalSteps) {
        History h = (History) state;
        Map<String, NDArray> copy = new LinkedHashMap<>();
        updates.asMap().forEach((name, g) -> {
            NDArray c = g.duplicate();
            c.attach(h.manager());
            NDScope.unregister(c);
            copy.put(name, c);
        });
        h.history().addLast(new Updates(copy));
        if (h.history().size() > window) {
            h.history().removeFirst().asMap().values().forEach(NDArray::close);
        }
        if (h.history().size() < 2) {
            return updates;
        }
        NDArray scale = signalToNoise(new ArrayList<>(h.history())).minimum((float) maxScale);
        return updates.map((name, u) -> u.mul(scale));
    }

    /**
     * SNR = ‖ḡ‖² / ((1/n)Σᵢ ‖gᵢ − ḡ‖²) of {@code gradients} (n ≥ 1, the same parameters in each), as a
     * scalar array; the noise term gets 1e-30 added so that identical gradients give a huge finite value.
     */
    public static NDArray signalToNoise(List<Updates> gradients) {
        if (gradients.isEmpty()) {
            throw new IllegalArgumentException("no gradients");
        }
        float n = gradients.size();
        NDArray signal = null;
        NDArray noise = null;
        for (String name : gradients.get(0).asMap().keySet()) {
            NDArray sum = null;
            for (Updates g : gradients) {
                sum = sum == null ? g.get(name).duplicate() : sum.addi(g.get(name));
            }
            NDArray mean = sum.divi(n);
            NDArray s = mean.square().sum();
            signal = signal == null ? s : signal.add(s);
            for (Updates g : gradients) {
                NDArray d = g.get(name).sub(mean).square().sum().divi(n);
                noise = noise == null ? d : noise.add(d);
            }
        }
        return signal.div(noise.add(1e-30f));
    }
}
