package dev.lethe.model;

/**
 * A question-answer example as the model reads it: the prompt it is given and the answer it should continue with.
 * {@code prompt + answer} is the whole text.
 *
 * @param prompt the text before the answer (with a chat template: everything up to the assistant's header)
 * @param answer the answer's text (with a chat template: including the end-of-turn marker the template writes)
 */
public record PromptAnswer(String prompt, String answer) {
    /** The whole text, prompt then answer. */
    public String text() {
        return prompt + answer;
    }
}
