package dev.lethe.attack;

import dev.lethe.part.Kind;
import java.util.List;

/** The built-in attacks, for {@code import static}. */
public final class Attacks {
    private Attacks() {}

    /** The attack slot's vocabulary, in the order {@code lethe list} shows it. */
    public static final List<Kind<? extends Attack>> KINDS = List.of(
            Quantize.KIND,
            Prune.KIND,
            Relearn.KIND,
            ParaphrasePrompts.KIND,
            JailbreakPrefix.KIND);

    /** Symmetric per-output-channel round-to-nearest quantization to {@code bits} bits: {@link Quantize}. */
    public static Attack quantize(int bits) {
        return new Quantize(bits);
    }

    /** Per-matrix magnitude pruning of the fraction {@code sparsity}: {@link Prune}. */
    public static Attack prune(double sparsity) {
        return new Prune(sparsity);
    }

    /** {@code steps} AdamW steps at {@code lr} on {@code examples} forget examples: {@link Relearn}. */
    public static Attack relearn(long steps, int examples, double lr) {
        return new Relearn(steps, examples, lr);
    }

    /** Forget questions replaced by their paraphrases: {@link ParaphrasePrompts}. */
    public static Attack paraphrase() {
        return new ParaphrasePrompts();
    }

    /** Forget questions prefixed with {@value JailbreakPrefix#DEFAULT_PREFIX}: {@link JailbreakPrefix}. */
    public static Attack jailbreak() {
        return JailbreakPrefix.KIND.defaults();
    }

    /** Forget questions prefixed with {@code prefix}: {@link JailbreakPrefix}. */
    public static Attack jailbreak(String prefix) {
        return new JailbreakPrefix(prefix);
    }
}
