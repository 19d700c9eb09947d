package dev.lethe.spec;

import dev.lethe.model.HfModel;
import java.nio.file.Path;

/**
 * The {@code reference} stage in its second form, {@code reference: {hf: DIR}}: the "retrained without the forget
 * set" gold standard loaded from a Hugging Face folder instead of trained, for the retain models researchers
 * publish (TOFU's {@code retain90}/{@code retain95}/{@code retain99} finetunes, MUSE's retrained models). Like a
 * trained {@link Reference} it is called {@code reference}, is the frozen model the cross-model metrics (forget
 * quality, PrivLeak, {@code kl_to_reference}) compare with, and does not replace the current model; it trains
 * nothing, so it takes no training parameters and is loaded again (not checkpointed) when a run resumes.
 *
 * <p>Both forms are one kind, declared once: {@link Reference#KIND} reads {@code hf} as this record and the training
 * parameters as a {@link Reference}, and refuses a mix of the two. The folder must hold a model of the run's
 * architecture, vocabulary and tokenizer (the run's model's own folder for {@code model: {hf}}, or the spec and the
 * tokenizer a run from scratch fits); {@code Preflight} checks that before anything is written and names the
 * recipe field ({@link #field}), the folder and what differs. The provenance records the folder's content hash,
 * never its path; a training stage that starts from it ({@code from: reference}) is cached under the hash of its
 * weights, as from any model. A relative folder resolves against the working directory, as {@code model: {hf: DIR}} and data
 * folders do.
 *
 * @param dir the folder
 */
public record HfReference(Path dir) implements Stage {

    /** The reference in the folder {@code dir}. */
    public static HfReference at(Path dir) {
        return new HfReference(dir);
    }

    /** The reference in the folder {@code dir}. */
    public static HfReference at(String dir) {
        return new HfReference(Path.of(dir));
    }

    /** The reference in {@code folder}'s folder ({@code .reference(HfModel.at(dir))} in the DSL). */
    public static HfReference of(HfModel folder) {
        return new HfReference(folder.dir());
    }

    /** The folder as a model: its spec, weights, tokenizer and files. */
    public HfModel folder() {
        return HfModel.at(dir);
    }

    /** The recipe field that names the folder of the recipe's stage {@code index} (from 0), for error messages. */
    public static String field(int index) {
        return "stages[" + index + "]." + Reference.KIND.name() + "." + Reference.HF;
    }

    @Override
    public String kind() {
        return Reference.KIND.name();
    }

    @Override
    public ModelRole produces() {
        return ModelRole.REFERENCE;
    }

    @Override
    public boolean replacesCurrent() {
        return false;
    }
}
