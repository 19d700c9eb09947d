package dev.lethe.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.Objectives;
import dev.lethe.recipe.RecipeException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A recipe is checked when it is built, by its records' compact constructors, not when it runs; a recipe file
 * gets the same checks as problems with file, line and field.
 */
class RecipeValidationTest {
    private static final GptConfig TINY = new GptConfig(0, 1, 16, 2, 16, 0f);
    private static final String HEAD = "name: v\nmodel: gpt\ndata: fictitious_facts\n";

    private static Lethe.RecipeStep recipe(String name) {
        return Lethe.recipe(name).model(TINY).data(FictitiousFacts.of(4, 0.25));
    }

    @Test
    void aBlankNameOrAnUnknownDeviceFailsAtBuild() {
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class, () -> recipe(" ").build());
        assertEquals("name: a name must not be blank", blank.getMessage());
        IllegalArgumentException device = assertThrows(IllegalArgumentException.class,
                () -> recipe("r").device("tpu").build());
        assertEquals("device must be cpu, gpu, gpu:N or auto, was 'tpu' (N: a GPU's index, 0 to 9999)",
                device.getMessage());
        assertEquals("gpu:1", recipe("r").device("gpu:1").build().device(), "a device the machine lacks is checked "
                + "when the run starts, not when the recipe is built");
    }

    @Test
    void controlCharactersInANameAreRefusedAndShownEscaped() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> recipe("run\u001b[31m\u0007").build());
        assertTrue(e.getMessage().contains("run\\e[31m\\a"), e.getMessage());
        assertFalse(e.getMessage().chars().anyMatch(Character::isISOControl), "no raw control character reaches a terminal");
    }

    @Test
    void aReferenceStartsFromScratchOrFromAModelAnEarlierStageMade() {
        Reference fromUnlearned = new Reference(Training.of(2), List.of(Split.RETAIN), Texts.BOTH, "unlearned", null);
        IllegalArgumentException early = assertThrows(IllegalArgumentException.class,
                () -> recipe("r").learn(Training.of(2)).stage(fromUnlearned).unlearn(Unlearning.of(Objectives.npo()))
                        .build());
        assertTrue(early.getMessage().contains("stage reference starts from 'unlearned', which no earlier stage makes; "
                + "the earlier models are [learned]"), early.getMessage());
        Recipe ok = recipe("r").learn(Training.of(2)).unlearn(Unlearning.of(Objectives.npo())).stage(fromUnlearned)
                .build();
        assertEquals("unlearned", ok.first(Reference.class).from());
    }

    @Test
    void stageRecordsCheckTheirOwnFields() {
        assertThrows(IllegalArgumentException.class, () -> new Learn(Training.of(2), List.of(), Texts.BOTH, null));
        assertThrows(IllegalArgumentException.class,
                () -> new Finetune(Training.of(2), List.of(Split.RETAIN, Split.RETAIN), Texts.BOTH, null));
        assertThrows(IllegalArgumentException.class, () -> new Save("../out.safetensors"));
        assertThrows(IllegalArgumentException.class, () -> new Save("/tmp/out.safetensors"));
        assertEquals("save: file must end in .safetensors (one file), or be a folder name without an extension (a "
                + "Hugging Face folder), was 'out.bin'",
                assertThrows(IllegalArgumentException.class, () -> new Save("out.bin")).getMessage());
        assertTrue(new Save("models/unlearned").folder(), "a name without an extension is a Hugging Face folder");
        assertFalse(new Save("models/unlearned.safetensors").folder());
        assertThrows(IllegalArgumentException.class, () -> new Attacking(List.of(), null));
        assertThrows(IllegalArgumentException.class, () -> new Continual(0, List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Recipe("r", 1, "cpu", TINY, FictitiousFacts.of(4, 0.25),
                List.of()));
    }

    @Test
    void aRecipeFileGetsTheSameChecksAsProblemsWithLineAndField() {
        RecipeException device = assertThrows(RecipeException.class,
                () -> Lethe.fromYaml(HEAD + "device: tpu\nstages: [evaluate]\n"));
        assertTrue(device.getMessage().contains("<text>:1:1: recipe: device must be cpu, gpu, gpu:N or auto, was 'tpu'"),
                device.getMessage());
        RecipeException from = assertThrows(RecipeException.class, () -> Lethe.fromYaml(HEAD
                + "stages:\n  - learn: {steps: 2}\n  - reference: {steps: 2, from: unlearned}\n"));
        assertTrue(from.getMessage().contains("stage reference starts from 'unlearned', which no earlier stage makes"),
                from.getMessage());
        RecipeException save = assertThrows(RecipeException.class, () -> Lethe.fromYaml(HEAD
                + "stages:\n  - save: {file: ../../outside.safetensors}\n"));
        assertTrue(save.getMessage().contains(":5:18: stages[0].save.file: expected a relative file name without "
                + "'..', got \"../../outside.safetensors\""), save.getMessage());
        RecipeException old = assertThrows(RecipeException.class, () -> Lethe.fromYaml(HEAD
                + "learn: {steps: 2}\nunlearn: {objective: npo}\n"));
        assertEquals(1, old.problems().size(), old.getMessage());
        assertTrue(old.getMessage().contains(":4:1: learn: recipes now list their stages in order"), old.getMessage());
    }
}
