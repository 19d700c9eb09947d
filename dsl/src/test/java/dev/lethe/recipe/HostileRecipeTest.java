package dev.lethe.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.attack.Attacks;
import dev.lethe.spec.Attacking;
import dev.lethe.spec.Recipe;
import dev.lethe.util.Printable;
import org.junit.jupiter.api.Test;

/**
 * Recipe files written to attack the reader or the terminal (issue 13, items 3 and 8, and the tab and
 * long-name weak spots): each gets one problem naming the file, field and line, with no raw control character.
 */
class HostileRecipeTest {
    private static final String HEAD = "model: gpt\ndata: fictitious_facts\n";

    private static RecipeException refused(String text) {
        RecipeException e = assertThrows(RecipeException.class, () -> RecipeCodec.standard().read(text, "r.yaml"));
        assertEquals(-1, Printable.firstControl(e.getMessage().replace("\n", "")),
                "no raw control character reaches the terminal: " + Printable.escape(e.getMessage()));
        return e;
    }

    @Test
    void aRecipeNameWithTerminalEscapesIsRefusedAndShownEscaped() {
        RecipeException e = refused("name: \"\\e]0;PWNED\\a\\e[1A\\e[2KFAKE: all tests passed\"\n" + HEAD
                + "stages: [{evaluate: {}}]\n");
        assertTrue(e.getMessage().contains("r.yaml:1:"), e.getMessage());
        assertTrue(e.getMessage().contains("control character"), e.getMessage());
        assertTrue(e.getMessage().contains("\\e]0;PWNED\\a"), e.getMessage());
    }

    @Test
    void controlCharactersInKeysPartNamesAndFileNamesAreEscapedInProblems() {
        RecipeException key = refused("name: k\n" + HEAD + "\"\\e[2Kstages\": []\n");
        assertTrue(key.getMessage().contains("unknown key '\\e[2Kstages'"), key.getMessage());
        RecipeException part = refused("name: k\n" + HEAD + "stages: [{\"\\e[31munlearn\": {}}]\n");
        assertTrue(part.getMessage().contains("\\e[31munlearn"), part.getMessage());
        RecipeException file = assertThrows(RecipeException.class,
                () -> RecipeCodec.standard().read("name: [", "evil\u001b[2K.yaml"));
        assertTrue(file.getMessage().contains("evil\\e[2K.yaml:"), file.getMessage());
    }

    @Test
    void namesAFileChoosesMustBePrintableAndShort() {
        RecipeException control = refused("name: n\n" + HEAD + "stages:\n- unlearn:\n    objective:\n      combined:\n        combiner: sum\n"
                + "        parts: {\"forget\\rFAKE\": npo, retain: nll}\n");
        assertTrue(control.getMessage().contains("r.yaml:9:"), control.getMessage());
        assertTrue(control.getMessage().contains("forget\\rFAKE"), control.getMessage());
        assertTrue(control.getMessage().contains("control character"), control.getMessage());
        RecipeException longName = refused("name: " + "n".repeat(300) + "\n" + HEAD + "stages: [{evaluate: {}}]\n");
        assertTrue(longName.getMessage().contains("r.yaml:1:"), longName.getMessage());
        assertTrue(longName.getMessage().contains("300 characters; at most " + Recipe.MAX_NAME_LENGTH),
                longName.getMessage());
        RecipeException longPart = refused("name: n\n" + HEAD + "stages:\n- unlearn:\n    objective:\n      combined:\n        combiner: sum\n"
                + "        parts: {" + "p".repeat(101) + ": npo}\n");
        assertTrue(longPart.getMessage().contains("at most " + Recipe.MAX_NAME_LENGTH), longPart.getMessage());
        assertEquals(Recipe.MAX_NAME_LENGTH, RecipeCodec.standard().read("name: " + "n".repeat(Recipe.MAX_NAME_LENGTH)
                + "\n" + HEAD + "stages: [{evaluate: {}}]\n", "r.yaml").name().length());
    }

    @Test
    void aYamlAliasReadsAsTheAnchoredValueNotAsTheAnchorsName() {
        Recipe r = RecipeCodec.standard().read("name: &who \"x\"\n" + HEAD
                + "stages: [{attack: {attacks: [{jailbreak: {prefix: *who}}]}}]\n", "r.yaml");
        assertEquals(Attacks.jailbreak("x"), r.first(Attacking.class).attacks().get(0));
        Recipe block = RecipeCodec.standard().read("name: b\nmodel: &m {gpt: {layers: 3}}\ndata: fictitious_facts\n"
                + "stages: [{evaluate: {}}]\n", "r.yaml");
        assertEquals(3, ((dev.lethe.model.GptConfig) block.model()).layers());
        RecipeException unknown = refused("name: *nobody\n" + HEAD + "stages: [{evaluate: {}}]\n");
        assertTrue(unknown.getMessage().contains("r.yaml:1:"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("alias '*nobody'"), unknown.getMessage());
    }

    @Test
    void aliasesThatExpandExponentiallyAreRefused() {
        StringBuilder laughs = new StringBuilder("name: lol\n" + HEAD + "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 10; i++) {
            laughs.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                laughs.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            laughs.append("]\n");
        }
        laughs.append("stages: [{evaluate: {}}]\n");
        RecipeException e = refused(laughs.toString());
        assertTrue(e.getMessage().contains("aliases"), e.getMessage());
    }

    @Test
    void tabIndentationIsNamedWithItsLine() {
        RecipeException e = refused("name: t\nmodel:\n\tgpt: {layers: 2}\ndata: fictitious_facts\nstages: [{evaluate: {}}]\n");
        assertTrue(e.getMessage().contains("r.yaml:3:"), e.getMessage());
        assertTrue(e.getMessage().contains("tabs are not allowed in YAML indentation, line 3"), e.getMessage());
        assertFalse(e.getMessage().contains("cannot start any token"), e.getMessage());
    }
}
