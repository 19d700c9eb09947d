package dev.lethe.model;

import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model's chat template (the Jinja {@code chat_template} of its {@code tokenizer_config.json} or
 * {@code chat_template.jinja}), rendered as Hugging Face {@code transformers}' {@code apply_chat_template(...,
 * tokenize=False)} renders it: by a real Jinja engine (Jinjava) configured as transformers configures Jinja2
 * (see {@link JinjaEnvironment} for the environment and the bridged differences).
 *
 * <p>The template sees {@code messages} (a list of {@code {role, content}} maps), {@code add_generation_prompt},
 * the folder's special tokens ({@code bos_token}, {@code eos_token}, {@code pad_token}, {@code unk_token} when
 * the folder names them) and any extra variables given to {@link #render(List, boolean, Map)} (e.g.
 * {@code date_string} to fix Llama 3.x's date). {@code tools} and {@code documents} are left undefined (tool
 * use and retrieval prompts are not supported); templates treat that as no tools, as transformers' {@code None}.
 * Immutable; renders concurrently.
 */
public final class ChatTemplate {
    private final String source;
    private final Map<String, String> specialTokens;
    private final Clock clock;

    private ChatTemplate(String source, Map<String, String> specialTokens, Clock clock) {
        this.source = source;
        this.specialTokens = specialTokens;
        this.clock = clock;
    }

    /**
     * The template {@code source} with the given special-token strings (keys such as {@code bos_token},
     * {@code eos_token}), the system clock for {@code strftime_now}.
     */
    public static ChatTemplate of(String source, Map<String, String> specialTokens) {
        Objects.requireNonNull(source, "source");
        return new ChatTemplate(source, Map.copyOf(specialTokens), Clock.systemDefaultZone());
    }

    /** This template with {@code strftime_now} reading {@code clock} (tests fix the date with it). */
    public ChatTemplate withClock(Clock clock) {
        return new ChatTemplate(source, specialTokens, Objects.requireNonNull(clock, "clock"));
    }

    /** The Jinja source. */
    public String source() {
        return source;
    }

    /** The special-token variables the template sees. */
    public Map<String, String> specialTokens() {
        return specialTokens;
    }

    /**
     * The text of {@code messages}, ending with the assistant's header when {@code addGenerationPrompt}.
     *
     * @throws IllegalArgumentException when the template calls {@code raise_exception} (e.g. roles that do not
     *     alternate) or fails to render; the message says which
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * As {@link #render(List, boolean)}, with {@code variables} added to the template's context (they override
     * the special tokens, as keyword arguments of {@code apply_chat_template} do).
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> variables) {
        List<Map<String, Object>> turns = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> turn = new LinkedHashMap<>();
            turn.put("role", m.role());
            turn.put("content", m.content());
            turns.add(turn);
        }
        Map<String, Object> context = new LinkedHashMap<>(specialTokens);
        context.put(JinjaEnvironment.STRFTIME_NOW, JinjaEnvironment.STRFTIME_NOW);
        context.put("messages", turns);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.putAll(variables);
        RenderResult result = JinjaEnvironment.withClock(clock,
                () -> JinjaEnvironment.jinjava().renderForResult(JinjaEnvironment.source(source), context));
        for (TemplateError e : result.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new IllegalArgumentException(failure(e));
            }
        }
        return result.getOutput();
    }

    private static String failure(TemplateError e) {
        for (Throwable t = e.getException(); t != null; t = t.getCause()) {
            if (t instanceof JinjaEnvironment.Raised raised) {
                return "chat template raised an exception: " + raised.getMessage();
            }
        }
        return "chat template failed to render"
                + (e.getLineno() > 0 ? " at line " + e.getLineno() : "") + ": " + e.getMessage();
    }
}
