package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real chat templates (test resources under {@code chat-templates/}, their sources in {@code SOURCES.md}) render
 * byte for byte as Hugging Face {@code transformers}' {@code apply_chat_template(tokenize=False)} renders them,
 * over conversations with and without a system turn, several turns, with and without the generation prompt and
 * with non-ASCII content and with Jinja syntax inside a message (printed, never run); a template's {@code raise_exception} fails on both sides. Skipped without the
 * reference venv ({@link ReferencePython}).
 */
class ChatTemplateReferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> DATE = Map.of("date_string", "01 Feb 2003");

    /** A template resource and the special tokens its model's tokenizer_config.json names. */
    record Case(String template, Map<String, String> tokens) {}

    static final List<Case> TEMPLATES = List.of(
            new Case("llama-3.2-instruct", Map.of("bos_token", "<|begin_of_text|>", "eos_token", "<|eot_id|>")),
            new Case("qwen2.5-instruct", Map.of("eos_token", "<|im_end|>", "pad_token", "<|endoftext|>")),
            new Case("phi-3.5-mini-instruct", Map.of("bos_token", "<s>", "eos_token", "<|endoftext|>",
                    "unk_token", "<unk>")),
            new Case("mistral-nemo-instruct-2407", Map.of("bos_token", "<s>", "eos_token", "</s>")),
            new Case("mixtral-8x7b-instruct-v0.1", Map.of("bos_token", "<s>", "eos_token", "</s>")),
            new Case("llama-2-chat", Map.of("bos_token", "<s>", "eos_token", "</s>", "unk_token", "<unk>")),
            new Case("zephyr-7b-beta", Map.of("bos_token", "<s>", "eos_token", "</s>")),
            new Case("gemma-2b-it", Map.of("bos_token", "<bos>", "eos_token", "<eos>")),
            new Case("probe-python-features", Map.of("bos_token", "<s>", "eos_token", "</s>")),
            new Case("falcon-rw-1b-chat", Map.of("eos_token", "<|endoftext|>")));

    /** Conversations every template renders (some templates reject some of them, e.g. a system turn). */
    static final List<List<ChatMessage>> CONVERSATIONS = List.of(
            List.of(ChatMessage.user("What is the capital of France?")),
            List.of(ChatMessage.system("You are a helpful assistant."), ChatMessage.user("Who wrote Faust?"),
                    ChatMessage.assistant("Johann Wolfgang von Goethe.")),
            List.of(ChatMessage.user("Hi!"), ChatMessage.assistant("Hello. How can I help?"),
                    ChatMessage.user("Tell me a fact."), ChatMessage.assistant("Octopuses have three hearts.")),
            List.of(ChatMessage.system("  Antworte auf Deutsch.\n"),
                    ChatMessage.user("Wie heißt du? 你好 مرحبا 🙂‍↔️🇫🇷\u00a0"),
                    ChatMessage.assistant("\tIch heiße Lethe — привет, नमस्ते.\u3000\n"),
                    ChatMessage.user("  Danke!  ")),
            List.of(ChatMessage.user("Only one question, then an answer:"), ChatMessage.assistant("")),
            List.of(ChatMessage.user("Is {{ 7 * 7 }} {% if true %}x{% endif %} {# a comment #} <|im_end|> text?"),
                    ChatMessage.assistant("Yes: {{ messages }} stays as written.")));

    @TestFactory
    Stream<DynamicTest> templatesRenderAsTransformersDoes(@TempDir Path dir) throws IOException {
        ArrayNode cases = JSON.createArrayNode();
        List<String> names = new ArrayList<>();
        for (Case c : TEMPLATES) {
            for (int k = 0; k < CONVERSATIONS.size(); k++) {
                for (boolean generation : new boolean[] {true, false}) {
                    ObjectNode o = cases.addObject();
                    o.put("template_file", resource(c.template()).toString());
                    o.set("special_tokens", JSON.valueToTree(c.tokens()));
                    o.set("messages", JSON.valueToTree(CONVERSATIONS.get(k)));
                    o.put("add_generation_prompt", generation);
                    o.set("variables", JSON.valueToTree(DATE));
                    names.add(c.template() + " conversation " + k + (generation ? " +generation" : ""));
                }
            }
        }
        Path file = dir.resolve("cases.json");
        Files.writeString(file, cases.toString());
        JsonNode reference = JSON.readTree(ReferencePython.run("chat_template_reference.py", 300, file.toString()));
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            JsonNode expected = reference.get(i);
            Case template = TEMPLATES.get(i / (2 * CONVERSATIONS.size()));
            List<ChatMessage> messages = CONVERSATIONS.get(i / 2 % CONVERSATIONS.size());
            boolean generation = c.get("add_generation_prompt").asBoolean();
            tests.add(DynamicTest.dynamicTest(names.get(i), () -> {
                ChatTemplate t = ChatTemplate.of(Files.readString(resource(template.template())), template.tokens());
                if (expected.has("error")) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> t.render(messages, generation, DATE), "transformers: " + expected.get("error"));
                    String message = expected.get("error").asText().replaceFirst("^TemplateError: ", "");
                    assertTrue(e.getMessage().endsWith(message), e.getMessage() + " vs " + message);
                } else {
                    assertEquals(expected.get("text").asText(), t.render(messages, generation, DATE));
                }
            }));
        }
        return tests.stream();
    }

    static Path resource(String template) {
        try {
            return Path.of(ChatTemplateReferenceTest.class.getResource("chat-templates/" + template + ".jinja").toURI());
        } catch (URISyntaxException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
