package dev.lethe.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.data.Split;
import dev.lethe.model.HfModel;
import dev.lethe.spec.HfReference;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Reference;
import dev.lethe.spec.Training;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The two forms of the {@code reference} stage in recipe files: the training parameters ({@code steps} required) and
 * {@code hf: DIR} alone (a reference loaded from a folder), one kind; their YAML round-trips, the DSL builds the same
 * records, and a mix of the two, or neither, is refused naming the file, line and field.
 */
class ReferenceFormsTest {
    private static final RecipeCodec CODEC = RecipeCodec.standard();
    private static final String HEAD = "name: forms\nmodel: {hf: models/base}\ndata: fictitious_facts\nstages:\n"
            + "  - finetune: {steps: 10}\n";

    @Test
    void hfAloneReadsAsALoadedReferenceAndWritesBackTheSame() {
        Recipe read = CODEC.read(HEAD + "  - reference: {hf: models/retain90}\n  - unlearn: {objective: npo}\n",
                "r.yaml");
        assertEquals(HfReference.at("models/retain90"), read.stages().get(1));
        String written = CODEC.write(read);
        assertTrue(written.contains("  - reference:\n      hf: models/retain90\n  - unlearn:"), written);
        assertEquals(read, CODEC.read(written, "again.yaml"));
        assertEquals(written, CODEC.write(CODEC.read(written, "again.yaml")));

        Recipe dsl = Lethe.recipe("forms").model(HfModel.at("models/base")).data(read.data())
                .finetune(Training.of(10), Split.RETAIN).reference(HfModel.at("models/retain90"))
                .unlearn(dev.lethe.spec.Unlearning.of(dev.lethe.objective.Objectives.npo())).build();
        assertEquals(read.stages().get(1), dsl.stages().get(1), "the DSL's reference(HfModel.at(dir))");
        assertEquals(dsl, CODEC.read(CODEC.write(dsl), "dsl.yaml"));
        assertEquals("reference", read.named().get(1).name());
        assertEquals("reference", read.named().get(1).model());
    }

    @Test
    void theTrainedFormIsUnchanged() {
        Recipe read = CODEC.read(HEAD + "  - reference: {steps: 20, splits: [retain], from: finetuned}\n", "r.yaml");
        Reference r = (Reference) read.stages().get(1);
        assertEquals(new Reference(Training.of(20), List.of(Split.RETAIN), r.texts(), "finetuned", null), r);
        String written = CODEC.write(read);
        assertTrue(written.contains("  - reference:\n      steps: 20\n      batch_size: 32\n") && !written.contains("hf:"
                + " models/retain") && written.contains("      from: finetuned\n"), written);
        assertEquals(read, CODEC.read(CODEC.write(read), "again.yaml"));
        assertEquals(Reference.of(Training.of(7)), Reference.KIND.create(Map.of("steps", 7L)));
        assertEquals(HfReference.at("x"), Reference.KIND.create(Map.of("hf", Path.of("x"))));
    }

    @Test
    void hfWithTrainingParametersIsRefusedNamingTheFileLineAndField() {
        RecipeException e = assertThrows(RecipeException.class, () -> CODEC.read(HEAD
                + "  - reference: {hf: models/retain90, steps: 5, batch_size: 32}\n", "mixed.yaml"));
        assertTrue(e.getMessage().contains("mixed.yaml:6:")
                && e.getMessage().contains("stages[1].reference: reference: hf loads the reference from a folder, "
                        + "and steps, batch_size are for training one: give hf alone, or the training parameters "
                        + "without hf"), e.getMessage());
        RecipeException neither = assertThrows(RecipeException.class, () -> CODEC.read(HEAD
                + "  - reference: {splits: [retain]}\n", "neither.yaml"));
        assertTrue(neither.getMessage().contains("neither.yaml:6:")
                && neither.getMessage().contains("stages[1].reference: reference: give steps (optimisation steps) to "
                        + "train the reference, or hf (a Hugging Face folder) to load it"), neither.getMessage());
    }

    @Test
    void aLoadedReferenceIsAReferenceThatTrainsNothingAndKeepsTheCurrentModel() {
        HfReference r = HfReference.at("models/retain90");
        assertEquals("reference", r.kind());
        assertEquals(dev.lethe.spec.ModelRole.REFERENCE, r.produces());
        assertEquals(false, r.replacesCurrent());
        assertEquals(false, r.trains());
        assertEquals("stages[2].reference.hf", HfReference.field(2));
    }
}
