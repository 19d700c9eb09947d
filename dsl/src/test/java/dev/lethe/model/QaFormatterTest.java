package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Question-answer pairs become prompt and answer text through a chat template, or plainly without one. */
class QaFormatterTest {
    private static ChatTemplate template(String name, Map<String, String> tokens) throws Exception {
        return ChatTemplate.of(Files.readString(ChatTemplateReferenceTest.resource(name)), tokens);
    }

    @Test
    void theUserTurnIsTheQuestionAndTheAssistantTurnTheAnswer() throws Exception {
        QaFormatter qwen = QaFormatter.chat(template("qwen2.5-instruct", Map.of("eos_token", "<|im_end|>")));
        PromptAnswer p = qwen.format("Where does Kalo Renmi live?", "In Torvel.");
        assertEquals("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nWhere does Kalo Renmi live?<|im_end|>\n<|im_start|>assistant\n", p.prompt());
        assertEquals("In Torvel.<|im_end|>\n", p.answer());
        assertTrue(qwen.usesChatTemplate());
    }

    @Test
    void aSystemPromptAndVariablesGoThroughTheTemplate() throws Exception {
        QaFormatter llama = QaFormatter.chat(template("llama-3.2-instruct", Map.of("bos_token", "<|begin_of_text|>")),
                "Answer briefly.", Map.of("date_string", "26 Jul 2024"));
        PromptAnswer p = llama.format("Who wrote Faust?", "Goethe.");
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December "
                + "2023\nToday Date: 26 Jul 2024\n\nAnswer briefly.<|eot_id|><|start_header_id|>user<|end_header_id|>"
                + "\n\nWho wrote Faust?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", p.prompt());
        assertEquals("Goethe.<|eot_id|>", p.answer());
    }

    @Test
    void withoutATemplateTheAnswerFollowsTheQuestionAfterASpace() {
        assertEquals(new PromptAnswer("What is 2+2?", " Four."), QaFormatter.plain().format("What is 2+2?", "Four."));
        assertEquals(new PromptAnswer("Q: ", "A"), QaFormatter.plain().format("Q: ", "A"));
        assertEquals(new PromptAnswer("Q", "\nA"), QaFormatter.plain().format("Q", "\nA"));
        assertEquals("Q A", QaFormatter.plain().format("Q", "A").text());
    }

    @Test
    void aTemplateWhoseAnswerDoesNotExtendThePromptIsRejected() {
        QaFormatter odd = QaFormatter.chat(ChatTemplate.of(
                "{% for m in messages %}{{ m.content }};{% endfor %}{% if add_generation_prompt %}>{% endif %}",
                Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> odd.format("Q", "A"));
        assertTrue(e.getMessage().contains("cannot be split"), e.getMessage());
    }
}
