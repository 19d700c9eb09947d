package dev.lethe.run;

import dev.lethe.model.CausalLm;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A frozen copy of a model, made on first use and closed with this: the reference of NPO-like objectives,
 * copied from the model an unlearning stage started from (which the stage itself does not change: it trains
 * a copy).
 */
final class FrozenCopy implements Supplier<CausalLm>, AutoCloseable {
    private final CausalLm source;
    private @Nullable CausalLm copy;

    FrozenCopy(CausalLm source) {
        this.source = source;
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
