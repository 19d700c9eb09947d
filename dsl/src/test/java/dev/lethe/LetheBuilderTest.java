package dev.lethe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lethe.attack.Attacks;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.model.GptConfig;
import dev.lethe.spec.Attacking;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Learn;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import java.util.List;
import org.junit.jupiter.api.Test;

class LetheBuilderTest {
    private static final Lethe.RecipeStep BASE = Lethe.recipe("base")
            .model(GptConfig.tiny())
            .data(FictitiousFacts.of(10, 0.2))
            .learn(Training.of(10));

    @Test
    void aHalfBuiltRecipeCanBeBranchedWithoutTheBranchesSeeingEachOther() {
        Lethe.RecipeStep attacked = BASE.attack(Attacks.quantize(4));
        Recipe a = attacked.attack(Attacks.quantize(8)).build();
        Recipe b = attacked.attack(Attacks.prune(0.5)).build();
        assertEquals(List.of("quantize4", "quantize8"), names(a.first(Attacking.class)));
        assertEquals(List.of("quantize4", "prune50"), names(b.first(Attacking.class)),
                "b has its own second attack only, not a's");
        assertEquals(List.of("quantize4"), names(attacked.build().first(Attacking.class)));
        assertEquals(List.of(Learn.class, Evaluation.class), BASE.build().stages().stream().map(Object::getClass).toList(),
                "the base is as it was");
    }

    @Test
    void seedAndDeviceMakeNewBuildersToo() {
        Recipe seeded = BASE.seed(7).device("auto").build();
        assertEquals(7, seeded.seed());
        assertEquals("auto", seeded.device());
        assertEquals(42, BASE.build().seed());
        assertEquals("cpu", BASE.build().device());
        Lethe.DataStep started = Lethe.recipe("x").model(GptConfig.tiny());
        started.data(FictitiousFacts.of(12, 0.5));
        assertThrows(IllegalStateException.class, () -> ((Lethe.RecipeStep) started).build(),
                "data(...) returned a new builder; the model-only one still lacks data");
    }

    private static List<String> names(Attacking stage) {
        return stage.attacks().stream().map(dev.lethe.attack.Attack::name).toList();
    }
}
