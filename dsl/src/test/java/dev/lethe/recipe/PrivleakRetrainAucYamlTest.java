package dev.lethe.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.eval.MuseRetrainAuc;
import dev.lethe.eval.PrivacySuite;
import dev.lethe.eval.RetrainAuc;
import dev.lethe.eval.Suites;
import dev.lethe.model.GptConfig;
import dev.lethe.part.FieldException;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Recipe;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The privacy suite's {@code privleak_retrain_auc} in recipe files and from the DSL. */
class PrivleakRetrainAucYamlTest {
    private static final String HEAD = "name: n\nmodel: gpt\ndata: fictitious_facts\nstages:\n";

    private static String evaluate(String value) {
        return HEAD + "- evaluate: {suites: [{privacy: {privleak_retrain_auc: " + value + "}}]}\n";
    }

    private static PrivacySuite privacy(Recipe r) {
        return (PrivacySuite) r.first(Evaluation.class).suites().get(0);
    }

    @Test
    void aCorpusOrANumberReadsWritesAndReadsBackTheSame() {
        for (String value : new String[] {"news", "books", "0.5"}) {
            Recipe read = Lethe.fromYaml(evaluate(value));
            String written = Lethe.toYaml(read);
            assertTrue(written.contains("privleak_retrain_auc: " + value), written);
            assertEquals(read, Lethe.fromYaml(written));
            assertEquals(written, Lethe.toYaml(Lethe.fromYaml(written)));
        }
        assertEquals(RetrainAuc.of(MuseRetrainAuc.NEWS), privacy(Lethe.fromYaml(evaluate("news"))).privleakRetrainAuc());
        assertEquals(RetrainAuc.of(MuseRetrainAuc.BOOKS), Lethe.fromYaml(evaluate("Books")).privleakRetrainAuc());
        assertEquals(0.5392999999999999, Lethe.fromYaml(evaluate("books")).privleakRetrainAuc().auc(), 0.0);
        assertEquals(RetrainAuc.of(0.5), privacy(Lethe.fromYaml(evaluate("0.5"))).privleakRetrainAuc());
    }

    @Test
    void theDslWritesWhatTheFileSays() {
        Recipe dsl = Lethe.recipe("n").model(GptConfig.tiny()).data(FictitiousFacts.of(8, 0.25))
                .evaluate(Evaluation.of(Suites.privacy(MuseRetrainAuc.NEWS))).build();
        assertTrue(Lethe.toYaml(dsl).contains("privleak_retrain_auc: news"), Lethe.toYaml(dsl));
        assertEquals(dsl, Lethe.fromYaml(Lethe.toYaml(dsl)));
        Recipe number = dsl.withStage("evaluate", new Evaluation(List.of(new PrivacySuite(8)
                .withPrivleakRetrainAuc(0.5)), List.of()));
        assertEquals(RetrainAuc.of(0.5), number.privleakRetrainAuc());
        assertEquals(number, Lethe.fromYaml(Lethe.toYaml(number)));
    }

    @Test
    void unsetIsNoneAndWritesNothing() {
        Recipe read = Lethe.fromYaml(HEAD + "- evaluate: {suites: [privacy]}\n");
        assertNull(privacy(read).privleakRetrainAuc());
        assertNull(read.privleakRetrainAuc());
        assertTrue(!Lethe.toYaml(read).contains("privleak_retrain_auc"), Lethe.toYaml(read));
        assertNull(((PrivacySuite) Suites.privacy()).privleakRetrainAuc());
    }

    @Test
    void zeroOneAndAHalfAndAnUnknownCorpusAreRefusedNamingTheField() {
        String field = "stages[0].evaluate.suites[0].privacy.privleak_retrain_auc";
        for (String bad : new String[] {"0", "1.5", "1", "-0.3"}) {
            RecipeException e = assertThrows(RecipeException.class, () -> Lethe.fromYaml(evaluate(bad)));
            assertTrue(e.getMessage().contains(field + ": expected a number in (0, 1)"), e.getMessage());
        }
        RecipeException corpus = assertThrows(RecipeException.class, () -> Lethe.fromYaml(evaluate("movies")));
        assertTrue(corpus.getMessage().contains(field + ": expected one of news, books"), corpus.getMessage());
        RecipeException key = assertThrows(RecipeException.class,
                () -> Lethe.fromYaml(evaluate("forget_holdout_PPL")));
        assertTrue(key.getMessage().contains(field), key.getMessage());
        IllegalArgumentException dsl = assertThrows(IllegalArgumentException.class,
                () -> new PrivacySuite(8).withPrivleakRetrainAuc(1.5));
        assertTrue(dsl.getMessage().contains("privleak_retrain_auc must be in (0, 1)"), dsl.getMessage());
    }

    @Test
    void twoEvaluateStagesWithDifferentRetrainAucsAreRefusedBeforeARun() {
        Recipe r = Lethe.fromYaml(HEAD + "- evaluate: {suites: [{privacy: {privleak_retrain_auc: news}}]}\n"
                + "- evaluate: {suites: [answers, {privacy: {privleak_retrain_auc: books}}]}\n");
        FieldException e = assertThrows(FieldException.class, r::privleakRetrainAuc);
        assertEquals("stages[1].evaluate.suites[1].privacy.privleak_retrain_auc", e.field());
        assertTrue(e.getMessage().contains("but stages[0].evaluate.suites[0].privacy.privleak_retrain_auc is news"),
                e.getMessage());
        Recipe same = Lethe.fromYaml(HEAD + "- evaluate: {suites: [{privacy: {privleak_retrain_auc: news}}]}\n"
                + "- evaluate: {suites: [{privacy: {privleak_retrain_auc: news}}]}\n");
        assertEquals(RetrainAuc.of(MuseRetrainAuc.NEWS), same.privleakRetrainAuc());
    }
}
