package dev.lethe.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.io.AtomicFiles;
import java.nio.file.Path;
import java.util.List;

/**
 * The tokenizer files of a model folder for a tokenizer trained by {@link BpeTrainer} with ChatML's special tokens
 * (Qwen's chat format): {@code tokenizer.json}, {@code tokenizer_config.json} with end of text as bos, eos and pad
 * (GPT-2's convention) and a ChatML chat template, and {@code generation_config.json} that stops generation at end
 * of text or at the end of a message. {@link HfTokenizer#fromFolder} and {@code transformers}' {@code AutoTokenizer}
 * read them alike.
 */
public final class ChatMlTokenizer {
    /** End of text (id 0): bos, eos and pad. */
    public static final String END_OF_TEXT = "<|endoftext|>";
    /** Start of a message (id 1). */
    public static final String START_OF_MESSAGE = "<|im_start|>";
    /** End of a message (id 2), a stop token of generation. */
    public static final String END_OF_MESSAGE = "<|im_end|>";
    /** The special tokens in id order. */
    public static final List<String> TOKENS = List.of(END_OF_TEXT, START_OF_MESSAGE, END_OF_MESSAGE);
    /** ChatML as Qwen's templates write it, without tools: one {@code <|im_start|>role\n...<|im_end|>\n} per turn. */
    public static final String TEMPLATE = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' "
            + "+ message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}"
            + "{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatMlTokenizer() {}

    /**
     * Writes {@code trained}'s tokenizer files into {@code folder} (each atomically).
     *
     * @param maxLength {@code model_max_length}, the model's longest sequence
     * @throws IllegalArgumentException when {@code trained}'s special tokens are not {@link #TOKENS}
     */
    public static void write(Path folder, BpeTrainer.Trained trained, int maxLength) {
        if (!trained.specialTokens().equals(TOKENS)) {
            throw new IllegalArgumentException("a ChatML tokenizer has the special tokens " + TOKENS + ", not "
                    + trained.specialTokens() + "; train it with BpeTrainer.chatMl");
        }
        AtomicFiles.writeString(folder.resolve(HfTokenizer.FILE), trained.tokenizerJson());
        AtomicFiles.writeString(folder.resolve(TokenizerConfig.FILE), tokenizerConfig(maxLength));
        AtomicFiles.writeString(folder.resolve(TokenizerConfig.GENERATION_CONFIG), generationConfig());
    }

    private static String tokenizerConfig(int maxLength) {
        ObjectNode c = JSON.createObjectNode();
        ObjectNode added = c.putObject("added_tokens_decoder");
        for (int id = 0; id < TOKENS.size(); id++) {
            added.putObject(Integer.toString(id)).put("content", TOKENS.get(id)).put("lstrip", false)
                    .put("normalized", false).put("rstrip", false).put("single_word", false).put("special", true);
        }
        c.put("bos_token", END_OF_TEXT);
        c.put("eos_token", END_OF_TEXT);
        c.put("pad_token", END_OF_TEXT);
        c.putNull("unk_token");
        c.put("chat_template", TEMPLATE);
        c.put("clean_up_tokenization_spaces", false);
        c.put("model_max_length", maxLength);
        c.put("tokenizer_class", "PreTrainedTokenizerFast");
        return c.toPrettyString() + "\n";
    }

    private static String generationConfig() {
        ObjectNode c = JSON.createObjectNode();
        c.put("bos_token_id", TOKENS.indexOf(END_OF_TEXT));
        c.putArray("eos_token_id").add(TOKENS.indexOf(END_OF_TEXT)).add(TOKENS.indexOf(END_OF_MESSAGE));
        c.put("pad_token_id", TOKENS.indexOf(END_OF_TEXT));
        return c.toPrettyString() + "\n";
    }
}
