package dev.lethe.spec;

import dev.lethe.attack.Attack;
import dev.lethe.attack.Attacks;
import dev.lethe.data.DataSource;
import dev.lethe.eval.Suite;
import dev.lethe.eval.Suites;
import dev.lethe.model.GptConfig;
import dev.lethe.model.HfModel;
import dev.lethe.model.ModelSpec;
import dev.lethe.objective.Objective;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.Estimator;
import dev.lethe.optim.GradientCombiner;
import dev.lethe.optim.Optimizers;
import dev.lethe.optim.Schedule;
import dev.lethe.optim.Schedules;
import dev.lethe.optim.Transform;
import dev.lethe.part.Kind;
import dev.lethe.part.Kinds;
import dev.lethe.part.Slot;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in kinds of every slot a recipe holds, each slot's vocabulary ({@link Objectives#KINDS},
 * {@link Optimizers#TRANSFORMS}, ...) in the order {@code lethe list} shows them: what the codec's standard
 * registry starts from, and what {@link Recipe#toString()} writes a recipe's parts with.
 */
public final class BuiltInKinds implements Kinds {
    /**
     * One slot and its kinds.
     *
     * @param slot the slot
     * @param kinds its kinds, in order
     * @param <T> what the slot holds
     */
    public record SlotKinds<T>(Slot<T> slot, List<Kind<? extends T>> kinds) {}

    /** Every slot with its built-in kinds, in the order {@code lethe list} shows them. */
    public static final List<SlotKinds<?>> SLOTS = List.of(
            new SlotKinds<>(ModelSpec.SLOT, List.of(GptConfig.KIND, HfModel.KIND)),
            new SlotKinds<>(DataSource.SLOT, DataSource.KINDS),
            new SlotKinds<>(Objective.SLOT, Objectives.KINDS),
            new SlotKinds<>(GradientCombiner.SLOT, GradientCombiner.KINDS),
            new SlotKinds<>(Estimator.SLOT, Optimizers.ESTIMATORS),
            new SlotKinds<>(Transform.SLOT, Optimizers.TRANSFORMS),
            new SlotKinds<>(Schedule.SLOT, Schedules.KINDS),
            new SlotKinds<>(Suite.SLOT, Suites.KINDS),
            new SlotKinds<>(Attack.SLOT, Attacks.KINDS),
            new SlotKinds<>(Stage.SLOT, Stages.KINDS));

    /** The built-in kinds, as a {@link Kinds} lookup. */
    public static final BuiltInKinds INSTANCE = new BuiltInKinds();

    private final Map<Slot<?>, Map<String, Kind<?>>> bySlot = new LinkedHashMap<>();

    private BuiltInKinds() {
        for (SlotKinds<?> s : SLOTS) {
            Map<String, Kind<?>> byName = new LinkedHashMap<>();
            s.kinds().forEach(k -> byName.put(k.name(), k));
            bySlot.put(s.slot(), byName);
        }
    }

    @Override
    public Map<String, Kind<?>> kinds(Slot<?> slot) {
        return Collections.unmodifiableMap(bySlot.getOrDefault(slot, Map.of()));
    }
}
