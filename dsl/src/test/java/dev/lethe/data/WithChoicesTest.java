package dev.lethe.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.recipe.RecipeCodec;
import dev.lethe.spec.Recipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multiple-choice files attached to another data source's splits: WMDP as forget knowledge, MMLU as general. */
class WithChoicesTest {

    private static final Path BIO = ChoiceFilesTest.resource("wmdp/wmdp-bio.jsonl");
    private static final Path CHEM = ChoiceFilesTest.resource("wmdp/wmdp-chem.json");
    private static final Path MMLU = ChoiceFilesTest.resource("mmlu/data/test");

    @Test
    void splitsThatNameFilesHoldTheirQuestionsAndTheOthersKeepTheSources() {
        FictitiousFacts facts = FictitiousFacts.of(6, 0.34);
        Dataset plain = facts.load(3);
        Dataset d = WithChoices.on(facts).forget(BIO, CHEM).world(MMLU).load(3);
        // forget: bio's 3 then chem's 2, in the order given; the built-in forget questions are replaced
        assertEquals(5, d.choices(Split.FORGET).size());
        assertEquals(List.of("biology", "biology", "biology", "chemistry", "chemistry"),
                d.choices(Split.FORGET).stream().map(MultipleChoice::subject).toList());
        assertEquals(ChoiceFiles.read(MMLU), d.choices(Split.WORLD));
        for (Split s : List.of(Split.RETAIN, Split.HOLDOUT, Split.REAL_AUTHORS)) {
            assertEquals(plain.choices(s), d.choices(s), s.id());
        }
        for (Split s : Split.values()) {
            assertEquals(plain.get(s), d.get(s), "question-answer examples are the source's: " + s.id());
            assertEquals(plain.passages(s), d.passages(s), s.id());
        }
    }

    @Test
    void aRecipeFileNamesTheFilesPerSplitAndReadsBackExactly() {
        String yaml = "name: wmdp\n"
                + "model: gpt\n"
                + "data:\n"
                + "  with_choices:\n"
                + "    data: {fictitious_facts: {people: 6}}\n"
                + "    forget: [" + BIO + "]\n"
                + "    world: [" + MMLU + "]\n"
                + "stages:\n"
                + "  - evaluate: {suites: [{multiple_choice: {format: lettered}}, multiple_choice], "
                + "splits: [forget, world]}\n";
        RecipeCodec codec = RecipeCodec.standard();
        Recipe read = codec.read(yaml, "wmdp.yaml");
        WithChoices data = (WithChoices) read.data();
        assertEquals(List.of(BIO), data.forget());
        assertEquals(List.of(MMLU), data.world());
        assertEquals(List.of(), data.retain());
        assertEquals(FictitiousFacts.KIND.create(java.util.Map.of("people", 6)), data.data());
        String written = codec.write(read);
        assertTrue(written.contains("format: lettered"), written);
        assertEquals(read, codec.read(written, "again.yaml"));
        assertEquals(written, codec.write(codec.read(written, "again.yaml")));
    }

    @Test
    void aMalformedFileIsNamedWithItsLineAndFieldWhenTheDataLoads(@TempDir Path dir) throws IOException {
        Path bad = Files.writeString(dir.resolve("wmdp-bio.jsonl"), Files.readString(BIO)
                + "{\"question\": \"q?\", \"choices\": [\"a\", \"b\"], \"answer\": 2}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WithChoices.on(FictitiousFacts.of(6, 0.34)).forget(bad).load(0));
        assertTrue(e.getMessage().contains("wmdp-bio.jsonl:4: field 'answer' is 2, outside the 2 choices"),
                e.getMessage());
    }
}
