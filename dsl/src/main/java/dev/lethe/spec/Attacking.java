package dev.lethe.spec;

import static dev.lethe.part.ParamTypes.list;
import static dev.lethe.part.ParamTypes.part;
import static dev.lethe.part.ParamTypes.struct;

import dev.lethe.attack.Attack;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code attack} stage: each attack is applied to a copy of the current model (called
 * {@code <current>+<attack>}, e.g. {@code unlearned+relearn}), the copy is evaluated with the suites and
 * splits of the recipe's next {@link Evaluation} stage (the defaults when none follows) and closed before the
 * next attack, so at most one attacked model is alive. The current model is left as it was.
 *
 * @param attacks the attacks, with distinct names
 * @param continual continual evaluation during relearning attacks, or null
 */
public record Attacking(List<Attack> attacks, @Nullable Continual continual) implements Stage {
    /** The {@code attack} stage in recipe files. */
    public static final Kind<Attacking> KIND = Kind.of("attack", Attacking.class,
            "attack copies of the current model; each is evaluated with the next evaluate stage's suites",
            List.of(Param.required("attacks", list(part(Attack.SLOT), 1), "the attacks, with distinct names",
                            (Attacking x) -> x.attacks()),
                    Param.optional("continual", struct(Continual.KIND), "continual evaluation during relearning "
                            + "attacks (absent: none)", (Attacking x) -> x.continual())),
            a -> new Attacking(a.list("attacks"), a.get("continual")));

    /** Copies the attacks and checks that their names are distinct. */
    public Attacking {
        attacks = List.copyOf(attacks);
        if (attacks.isEmpty()) {
            throw new IllegalArgumentException("attack: needs at least one attack");
        }
        Set<String> names = new HashSet<>();
        for (Attack a : attacks) {
            if (!names.add(a.name())) {
                throw new IllegalArgumentException("attack: two attacks are called '" + a.name() + "'");
            }
        }
    }

    /** {@code attacks}, without continual evaluation. */
    public static Attacking of(Attack... attacks) {
        return new Attacking(List.of(attacks), null);
    }

    /** A copy with {@code attack} after the others. */
    public Attacking plus(Attack attack) {
        List<Attack> more = new java.util.ArrayList<>(attacks);
        more.add(attack);
        return new Attacking(more, continual);
    }

    /** A copy with {@code newAttacks} instead of its attacks (at least one, distinct names). */
    public Attacking withAttacks(Attack... newAttacks) {
        return new Attacking(List.of(newAttacks), continual);
    }

    /** A copy whose relearning attacks are evaluated continually as {@code newContinual} says (null: not at all). */
    public Attacking withContinual(@Nullable Continual newContinual) {
        return new Attacking(attacks, newContinual);
    }

    @Override
    public String kind() {
        return KIND.name();
    }
}
