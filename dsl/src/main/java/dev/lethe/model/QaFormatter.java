package dev.lethe.model;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Turns a TOFU-style (question, answer) pair into the (prompt, answer) text a model is trained and evaluated on.
 * With a chat template the user turn is the question and the assistant turn the answer: the prompt is the
 * conversation up to the generation prompt ({@code add_generation_prompt=True}), the answer what the full
 * conversation adds after it, as open-unlearning splits a chat into prompt and answer. Without a template the prompt
 * is the question and the answer follows after one space (none when either side already has whitespace there).
 * Immutable.
 *
 * <p>Templates that write the date (Llama 3.x) render their clock's date unless {@code date_string} is among the
 * variables: {@link #of(HfTokenizer)}, what recipes use, fixes the clock at {@link #FOLDER_DATE}; a template
 * passed to {@link #chat} keeps the clock it has (the system clock unless {@link ChatTemplate#withClock} set one).
 */
public final class QaFormatter {
    private final @Nullable ChatTemplate template;
    private final @Nullable String system;
    private final Map<String, ?> variables;

    private QaFormatter(@Nullable ChatTemplate template, @Nullable String system, Map<String, ?> variables) {
        this.template = template;
        this.system = system;
        this.variables = variables;
    }

    /** Plain formatting: question, then the answer after a space. */
    public static QaFormatter plain() {
        return new QaFormatter(null, null, Map.of());
    }

    /** Through {@code template}, without a system turn and without extra variables. */
    public static QaFormatter chat(ChatTemplate template) {
        return chat(template, null, Map.of());
    }

    /**
     * Through {@code template}, with {@code system} as a first system turn when not null, and {@code variables}
     * added to the template's context (e.g. {@code date_string}).
     */
    public static QaFormatter chat(ChatTemplate template, @Nullable String system, Map<String, ?> variables) {
        return new QaFormatter(Objects.requireNonNull(template, "template"), system, Map.copyOf(variables));
    }

    /**
     * The date a template's {@code strftime_now} reads when a formatter comes from a model folder: 26 July 2024,
     * the date Llama 3.1's template writes when it cannot read a clock, so that a recipe formats its data the same
     * way on every day it runs.
     */
    public static final Clock FOLDER_DATE = Clock.fixed(Instant.parse("2024-07-26T00:00:00Z"), ZoneOffset.UTC);

    /**
     * Through {@code tokenizer}'s default chat template when its folder has one, its {@code strftime_now} reading
     * {@link #FOLDER_DATE} (a recipe's data must not change with the day it runs), else plain.
     */
    public static QaFormatter of(HfTokenizer tokenizer) {
        return tokenizer.chatTemplate().map(t -> chat(t.withClock(FOLDER_DATE))).orElseGet(QaFormatter::plain);
    }

    /** Whether a chat template formats the pairs. */
    public boolean usesChatTemplate() {
        return template != null;
    }

    /**
     * The prompt text of {@code question}: {@code format(question, answer).prompt()} for any answer, without
     * rendering an answer.
     *
     * @throws IllegalArgumentException when the template rejects the conversation
     */
    public String prompt(String question) {
        return template == null ? question : template.render(question(question), true, variables);
    }

    /** The conversation up to the user's question: the system turn when there is one, then the question. */
    private List<ChatMessage> question(String question) {
        List<ChatMessage> turns = new ArrayList<>();
        if (system != null) {
            turns.add(ChatMessage.system(system));
        }
        turns.add(ChatMessage.user(question));
        return turns;
    }

    /**
     * The prompt and answer text of {@code question} and {@code answer}.
     *
     * @throws IllegalArgumentException when the template rejects the conversation, or renders the answered
     *     conversation so that it does not begin with the prompt (then prompt and answer cannot be split)
     */
    public PromptAnswer format(String question, String answer) {
        if (template == null) {
            boolean joined = question.isEmpty() || answer.isEmpty() || PyMethods.isSpace(question.codePointBefore(
                    question.length())) || PyMethods.isSpace(answer.codePointAt(0));
            return new PromptAnswer(question, joined ? answer : " " + answer);
        }
        List<ChatMessage> turns = question(question);
        String prompt = template.render(turns, true, variables);
        turns.add(ChatMessage.assistant(answer));
        String full = template.render(turns, false, variables);
        if (!full.startsWith(prompt)) {
            throw new IllegalArgumentException("the chat template renders the answered conversation so that it does "
                    + "not begin with the prompt, so prompt and answer cannot be split:\nprompt: " + prompt
                    + "\nconversation: " + full);
        }
        return new PromptAnswer(prompt, full.substring(prompt.length()));
    }
}
