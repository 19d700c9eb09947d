package dev.lethe.model;

import java.util.Arrays;

/**
 * A tokenizer that reads question-answer pairs as a pretrained model was taught to: each pair formatted by a
 * {@link QaFormatter} (the chat template of the model folder's {@code tokenizer_config.json}, else the question
 * then the answer after a space), prompt and answer then encoded apart, so that a batch masks exactly the prompt
 * from the loss. A sequence gets one {@code <bos>} and one closing {@code <eos>} from the batch
 * ({@code dev.lethe.data.Batch}): when the rendered prompt already starts with the bos token (templates that write
 * {@code bos_token}, as Llama's do) that one is dropped here, and when the rendered answer already ends with the eos
 * token it is dropped too. Other texts ({@link #encode}) are encoded as they are. Closing it closes the tokenizer it
 * wraps.
 */
public final class QaTokenizer extends ForwardingTokenizer implements AutoCloseable {
    private final QaFormatter formatter;

    /** {@code tokenizer} with pairs formatted by {@code formatter}. */
    public QaTokenizer(Tokenizer tokenizer, QaFormatter formatter) {
        super(tokenizer);
        this.formatter = formatter;
    }

    /**
     * {@code tokenizer} formatting pairs through its folder's default chat template when it is a Hugging Face
     * tokenizer whose folder has one, else plainly ({@link QaFormatter#plain()}).
     */
    public static QaTokenizer of(Tokenizer tokenizer) {
        return new QaTokenizer(tokenizer, tokenizer instanceof HfTokenizer hf ? QaFormatter.of(hf)
                : QaFormatter.plain());
    }

    /** The formatter of question-answer pairs. */
    public QaFormatter formatter() {
        return formatter;
    }

    /** The ids of the formatted prompt, without a leading bos id (the batch adds one). */
    @Override
    public int[] encodePrompt(String question) {
        int[] ids = tokenizer().encode(formatter.prompt(question));
        return ids.length > 0 && ids[0] == tokenizer().bosId() ? Arrays.copyOfRange(ids, 1, ids.length) : ids;
    }

    /** The ids of the formatted answer, without a trailing eos id (the batch adds one). */
    @Override
    public int[] encodeAnswer(String question, String answer) {
        int[] ids = tokenizer().encode(formatter.format(question, answer).answer());
        return ids.length > 0 && ids[ids.length - 1] == tokenizer().eosId()
                ? Arrays.copyOf(ids, ids.length - 1) : ids;
    }

    @Override
    public void close() {
        if (tokenizer() instanceof HfTokenizer hf) {
            hf.close();
        }
    }
}
