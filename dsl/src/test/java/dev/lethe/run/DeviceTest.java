package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.lethe.Lethe;
import dev.lethe.recipe.RecipeException;
import dev.lethe.spec.Recipe;
import org.junit.jupiter.api.Test;

/** Device names: {@code cpu}, {@code gpu}, {@code gpu:N}, {@code auto}, and clear errors for the rest. */
class DeviceTest {
    private static final String RECIPE = """
            name: d
            device: %s
            model:
              gpt: {layers: 1, width: 16, heads: 2, context_length: 16}
            data:
              fictitious_facts: {people: 4, forget_fraction: 0.25, holdout_people: 1, facts_per_person: 2, world_countries: 1, real_authors: 1}
            stages: [evaluate]
            """;

    @Test
    void namesResolveToTheEnginesDevices() {
        int gpus = Engine.getInstance().getGpuCount();
        assertEquals(Device.cpu(), Runner.device("cpu"));
        assertEquals(Device.cpu(), Runner.device(" CPU "));
        assertEquals(gpus > 0 ? Device.gpu(0) : Device.cpu(), Runner.device("auto"));
        if (gpus == 0) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Runner.device("gpu:0"));
            assertTrue(e.getMessage().contains("sees 0 GPU(s)") && e.getMessage().contains("-Pgpu"), e.getMessage());
        } else {
            assertEquals(Device.gpu(gpus - 1), Runner.device("gpu:" + (gpus - 1)));
        }
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Runner.device("tpu"));
        assertTrue(unknown.getMessage().contains("expected cpu, gpu, gpu:N or auto"), unknown.getMessage());
    }

    @Test
    void recipesAcceptAutoAndNameAWrongDevice() {
        assertEquals("auto", Lethe.fromYaml(RECIPE.formatted("auto")).device());
        assertTrue(Lethe.toYaml(Lethe.fromYaml(RECIPE.formatted("auto"))).contains("device: auto"));
        RecipeException e = assertThrows(RecipeException.class, () -> Lethe.fromYaml(RECIPE.formatted("cuda")));
        assertTrue(e.getMessage().contains("device must be cpu, gpu, gpu:N or auto, was 'cuda'"), e.getMessage());
        Recipe auto = Lethe.fromYaml(RECIPE.formatted("auto"));
        assertEquals("auto (" + Runner.device("auto") + ")", Provenance.of(auto, Lethe.toYaml(auto)).device());
    }
}
