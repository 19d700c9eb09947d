package dev.lethe.model;

import java.util.List;

/**
 * A tokenizer that passes every call to another one: extend it and override what a wrapper changes (as
 * {@link QaTokenizer} changes how question-answer pairs are encoded).
 */
public abstract class ForwardingTokenizer implements Tokenizer {
    private final Tokenizer delegate;

    /** Passes every call to {@code delegate}. */
    protected ForwardingTokenizer(Tokenizer delegate) {
        this.delegate = delegate;
    }

    /** The tokenizer this one wraps. */
    public Tokenizer tokenizer() {
        return delegate;
    }

    @Override
    public int[] encode(String text) {
        return delegate.encode(text);
    }

    @Override
    public String decode(int[] ids) {
        return delegate.decode(ids);
    }

    @Override
    public int vocabSize() {
        return delegate.vocabSize();
    }

    @Override
    public int padId() {
        return delegate.padId();
    }

    @Override
    public int bosId() {
        return delegate.bosId();
    }

    @Override
    public int eosId() {
        return delegate.eosId();
    }

    @Override
    public List<String> vocabulary() {
        return delegate.vocabulary();
    }

    @Override
    public int[] encodePrompt(String question) {
        return delegate.encodePrompt(question);
    }

    @Override
    public int[] encodeAnswer(String question, String answer) {
        return delegate.encodeAnswer(question, answer);
    }
}
