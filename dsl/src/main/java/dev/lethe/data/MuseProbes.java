package dev.lethe.data;

import java.util.List;

/**
 * What MUSE evaluates one split on beyond its training texts (Shi et al. 2024, "MUSE: Machine Unlearning
 * Six-Way Evaluation for Language Models", arXiv:2407.06460): present only for data read from MUSE's files
 * ({@link MuseData}); its presence also tells {@link dev.lethe.eval.MuseSuite} to prompt KnowMem questions
 * with MUSE's few-shot frame.
 *
 * @param verbmem the prompts and true continuations of the {@code verbmem} files (VerbMem)
 * @param knowmem the questions and answers of the {@code knowmem/*_qa} files (KnowMem); kept apart from the
 *     split's question-answer examples so that no stage trains on them
 * @param fewShot the in-context examples of the {@code knowmem/*_qa_icl} files (KnowMem's prompt; may be
 *     empty: then MUSE's prompt is the question alone in its frame)
 * @param privleak the texts of the {@code privleak} files (membership scores, PrivLeak)
 */
public record MuseProbes(List<Continuation> verbmem, List<QaExample> knowmem, List<QaExample> fewShot,
        List<Passage> privleak) {

    /** Copies the lists. */
    public MuseProbes {
        verbmem = List.copyOf(verbmem);
        knowmem = List.copyOf(knowmem);
        fewShot = List.copyOf(fewShot);
        privleak = List.copyOf(privleak);
    }

    /**
     * MUSE's KnowMem prompt for {@code question} (muse_bench {@code knowmem/get_rouge_qa.py},
     * {@code run_completions}): each in-context example as {@code "Question: q\nAnswer: a\n\n"}, then
     * {@code "Question: " + question + "\nAnswer: "}.
     */
    public String fewShotPrompt(String question) {
        StringBuilder sb = new StringBuilder();
        for (QaExample e : fewShot) {
            sb.append("Question: ").append(e.question()).append("\nAnswer: ").append(e.answer()).append("\n\n");
        }
        return sb.append("Question: ").append(question).append("\nAnswer: ").toString();
    }

    /** Every text, with the words of the few-shot frame, for fitting a tokenizer. */
    public List<String> texts() {
        var all = new java.util.ArrayList<String>();
        all.add(fewShotPrompt(""));
        verbmem.forEach(c -> all.addAll(List.of(c.prompt(), c.truth())));
        knowmem.forEach(e -> all.addAll(List.of(e.question(), e.answer())));
        fewShot.forEach(e -> all.addAll(List.of(e.question(), e.answer())));
        privleak.forEach(p -> all.add(p.text()));
        return all;
    }
}
