package dev.lethe.run;

import dev.lethe.model.CausalLm;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A frozen copy of a model, made on first use and closed with this: the reference of NPO-like objectives,
 * copied from the model an unlearning stage started from (which the stage itself does not change: it trains
 * a copy). It also carries what else an unlearning step may compare with: the oracle (the run's reference model,
 * retrained without the forget split; not owned) and an attribute stage's shifts, each when there is one.
 */
final class FrozenCopy implements Supplier<CausalLm>, AutoCloseable {
    private final CausalLm source;
    private final @Nullable CausalLm oracle;
    private final @Nullable AttributedShifts shifts;
    private @Nullable CausalLm copy;

    FrozenCopy(CausalLm source) {
        this(source, null, null);
    }

    /** A frozen copy of {@code source} that also offers {@code oracle} and {@code shifts} (each may be null). */
    FrozenCopy(CausalLm source, @Nullable CausalLm oracle, @Nullable AttributedShifts shifts) {
        this.source = source;
        this.oracle = oracle;
        this.shifts = shifts;
    }

    /** The oracle, the run's reference model when the stage began (not a copy, not closed by this), or null. */
    @Nullable CausalLm oracle() {
        return oracle;
    }

    /** The attributed shifts of the last attribute stage before the unlearning stage, or null. */
    @Nullable AttributedShifts shifts() {
        return shifts;
    }

    @Override
    public CausalLm get() {
        if (copy == null) {
            copy = source.frozenCopy();
        }
        return copy;
    }

    @Override
    public void close() {
        if (copy != null) {
            copy.close();
            copy = null;
        }
    }
}
