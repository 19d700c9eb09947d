package dev.lethe.data;

import dev.lethe.part.Kind;
import dev.lethe.part.Slot;
import java.util.List;

/** Where a recipe's examples come from: a generated benchmark, or files. */
@FunctionalInterface
public interface DataSource {
    /** The slot of recipe files that holds DataSource: where the examples come from. */
    Slot<DataSource> SLOT = new Slot<>("data", DataSource.class);

    /** The data slot's vocabulary, in the order {@code lethe list} shows it. */
    List<Kind<? extends DataSource>> KINDS = List.of(
            FictitiousFacts.KIND,
            JsonlData.KIND,
            TofuData.KIND,
            MuseData.KIND,
            WithChoices.KIND);

    /** The dataset; generated sources use {@code seed}. */
    Dataset load(long seed);
}
