package dev.lethe.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.Slot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/parts.md is what {@link PartsDoc} writes from the kinds: hand edits and stale tables fail here. */
class PartsDocTest {
    private static final Path FILE = Path.of("..").resolve(PartsDoc.FILE);

    @Test
    void theCommittedPartsTablesAreTheGeneratedOnes() throws IOException {
        String generated = PartsDoc.markdown(PartRegistry.standard());
        if (Boolean.getBoolean("lethe.regenerateDocs")) {
            Files.writeString(FILE, generated);
        }
        String committed = Files.exists(FILE) ? Files.readString(FILE) : "";
        assertEquals(generated, committed, PartsDoc.FILE + " differs from what the kinds say; regenerate it with "
                + "mvn -B -o -q -pl dsl test -Dtest=PartsDocTest -Dlethe.regenerateDocs=true (and commit it)");
    }

    @Test
    void everyKindAndParameterHasARow() {
        String doc = PartsDoc.markdown(PartRegistry.standard());
        PartRegistry registry = PartRegistry.standard();
        for (Slot<?> slot : registry.slots()) {
            assertTrue(doc.contains("\n## " + slot.name() + "\n"), slot.name());
            for (Kind<?> kind : registry.kinds(slot).values()) {
                assertTrue(doc.contains("### `" + kind.name() + "`\n\n" + kind.doc().replace("|", "\\|")), kind.name());
                for (Param p : kind.params()) {
                    assertTrue(doc.contains("| `" + p.name() + "` | "), kind.name() + "." + p.name());
                }
            }
        }
        assertTrue(doc.contains("| `beta` | a number > 0 | `0.1` | inverse temperature β |"), "npo's row");
        assertTrue(doc.contains("| `sparsity` | a number in [0, 1] | required | fraction zeroed |"), "prune's row");
    }
}
