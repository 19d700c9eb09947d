package dev.lethe.recipe;

import dev.lethe.adapter.Lora;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Optimizers;
import dev.lethe.part.Kind;
import dev.lethe.part.Kinds;
import dev.lethe.part.Param;
import dev.lethe.part.Slot;
import dev.lethe.part.Writing;
import dev.lethe.spec.BuiltInKinds;
import dev.lethe.spec.Continual;
import dev.lethe.spec.Recipe;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every kind of part a recipe file can hold, by slot ({@link Slot#OBJECTIVE}, {@link Slot#SCHEDULE}, ...),
 * custom objectives ({@link dev.lethe.objective.NamedObjective#kind}) included. {@link #standard()} holds
 * the built-ins: each slot's vocabulary ({@link Objectives#KINDS}, {@link Optimizers#TRANSFORMS}, ...) lists the
 * kinds its parts declare beside their records; add another part with one {@link #add} call.
 * A registry is not thread-safe; fill it, then share it.
 */
public final class PartRegistry implements Kinds {
    private final Map<Slot<?>, Map<String, Kind<?>>> kinds = new LinkedHashMap<>();

    /**
     * The kinds of the records a recipe holds in fixed places rather than in a slot: the recipe itself, an
     * optimizer, LoRA adapters and a continual evaluation.
     */
    public static final List<Kind<?>> RECORDS = List.of(Recipe.KIND, Optimizer.KIND, Lora.KIND, Continual.KIND);

    /** An empty registry. */
    public PartRegistry() {}

    /**
     * A new registry holding the built-in parts; add to it freely, e.g. a custom objective's kind
     * ({@link dev.lethe.objective.NamedObjective#kind}).
     */
    public static PartRegistry standard() {
        PartRegistry r = new PartRegistry();
        BuiltInKinds.SLOTS.forEach(s -> r.addAll(s));
        return r;
    }

    private <T> void addAll(BuiltInKinds.SlotKinds<T> s) {
        addAll(s.slot(), s.kinds());
    }

    /**
     * Adds each of {@code slotKinds} to {@code slot}, in order ({@link #add}).
     *
     * @return this registry
     */
    public <T> PartRegistry addAll(Slot<T> slot, List<? extends Kind<? extends T>> slotKinds) {
        for (Kind<? extends T> kind : slotKinds) {
            add(slot, kind);
        }
        return this;
    }

    /**
     * Adds {@code kind} to {@code slot}. Kinds are tried in the order added when a part is written, so add a
     * kind that handles a subset of another's values first.
     *
     * @return this registry
     */
    public <T> PartRegistry add(Slot<T> slot, Kind<? extends T> kind) {
        Map<String, Kind<?>> m = kinds.computeIfAbsent(slot, s -> new LinkedHashMap<>());
        if (m.containsKey(kind.name())) {
            throw new IllegalArgumentException("a " + slot.name() + " called '" + kind.name() + "' is already registered");
        }
        m.put(kind.name(), kind);
        return this;
    }

    /** The kinds of {@code slot} by name, in the order added. */
    @Override
    public Map<String, Kind<?>> kinds(Slot<?> slot) {
        return Collections.unmodifiableMap(kinds.getOrDefault(slot, Map.of()));
    }

    /** The slots that have kinds, in the order first added. */
    public List<Slot<?>> slots() {
        return List.copyOf(kinds.keySet());
    }

    /** Every slot with its kinds and their parameters (type, default, meaning): what {@code lethe list} prints. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Slot<?> slot : slots()) {
            sb.append(describe(slot));
        }
        return sb.toString();
    }

    /** The kinds of {@code slot} with their parameters. */
    public String describe(Slot<?> slot) {
        StringBuilder sb = new StringBuilder(slot.name()).append(":\n");
        for (Kind<?> k : kinds(slot).values()) {
            sb.append(describe(k, "  "));
        }
        return sb.toString();
    }

    /** {@code kind}'s name and documentation, then one line per parameter (type, default, meaning). */
    public String describe(Kind<?> kind, String indent) {
        StringBuilder sb = new StringBuilder(indent).append(kind.name()).append(" - ").append(kind.doc()).append('\n');
        for (Param p : kind.params()) {
            sb.append(indent).append("    ").append(p.name()).append(": ").append(p.type().describe());
            String d = defaultText(p);
            if (!d.isEmpty()) {
                sb.append(", ").append(d);
            }
            sb.append(" - ").append(p.doc()).append('\n');
        }
        return sb.toString();
    }

    /**
     * {@code required}, {@code default V} with the default as a file writes it ({@code default {npo: {beta: 0.1}}}),
     * or empty for an optional value that is absent by default: how {@code lethe list} and docs/parts.md show it.
     */
    String defaultText(Param p) {
        if (p.required()) {
            return "required";
        }
        return p.defaultValue() == null ? "" : "default " + YamlWriter.flow(p.type().write(p.defaultValue(),
                new Writing(this)));
    }
}
