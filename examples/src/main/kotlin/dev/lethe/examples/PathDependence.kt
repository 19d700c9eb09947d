package dev.lethe.examples

import dev.lethe.Lethe
import dev.lethe.data.FictitiousFacts
import dev.lethe.model.GptConfig
import dev.lethe.objective.Objective
import dev.lethe.objective.Objectives.gradientAscent
import dev.lethe.objective.Objectives.npo
import dev.lethe.objective.Objectives.simNpo
import dev.lethe.report.Divergence
import dev.lethe.result.RunResult
import dev.lethe.run.Runner
import dev.lethe.spec.Evaluation
import dev.lethe.spec.Finetune
import dev.lethe.spec.Learn
import dev.lethe.spec.Recipe
import dev.lethe.spec.Reference
import dev.lethe.spec.Unlearning
import java.nio.file.Files
import java.nio.file.Path
import tech.tablesaw.api.Table

/** The two paths of examples/recipes/path-dependence-*.yaml, by the names the tables use. */
val pathDependencePaths = listOf("forget-first", "retain-first")

/** The local unlearning methods compared: the forget set's gradients only, each with its kind's defaults. */
fun pathDependenceMethods(): Map<String, Objective> = linkedMapOf(
    "GA" to gradientAscent(),
    "NPO" to npo(),
    "SimNPO" to simNpo(),
)

/** The (split, metric) rows of the divergence tables: forget, where the forget mass goes, and capability. */
val pathDependenceRows = listOf(
    listOf("forget", "probability"), listOf("forget", "exact_match"),
    listOf("forget", "paraphrased_probability"), listOf("forget", "perturbed_probability"),
    listOf("forget", "paraphrased_share"),
    listOf("retain", "exact_match"), listOf("world", "probability"), listOf("world", "exact_match"),
)

/**
 * The path file [path] (`forget-first` or `retain-first`) from [dir], with seed [seed] and [objective] as its
 * unlearning objective, for measuring trajectories: without its reference and evaluate stages (the divergence reads
 * the unlearn stage's continual points only). [tiny] shrinks it to a 2-layer, width-64 model on 12 people × 3 facts
 * with half the training steps, for a quick check.
 */
fun pathDependenceRecipe(dir: Path, path: String, method: String, objective: Objective, seed: Long,
                         tiny: Boolean = false): Recipe {
    val file = Lethe.fromYaml(dir.resolve("path-dependence-$path.yaml"))
    val stages = file.stages().filter { it !is Reference && it !is Evaluation }.map {
        when {
            it is Unlearning -> it.withObjective(objective)
            tiny && it is Learn -> it.withSteps(it.training().steps() / 2)
            tiny && it is Finetune -> it.withSteps(it.training().steps() / 2)
            else -> it
        }
    }
    return Recipe("${file.name()}-$method", seed, file.device(),
        if (tiny) GptConfig(0, 2, 64, 4, 32, 0f) else file.model(),
        if (tiny) FictitiousFacts(12, 0.25, 2, 3, 3, 2) else file.data(), stages)
}

/** [x] to four decimals, or in scientific notation below 0.01 (the paraphrased answers' probabilities are small). */
private fun num(x: Double) = if (x != 0.0 && Math.abs(x) < 0.01) "%.2e".format(x) else "%.4f".format(x)

/**
 * The signed difference of the unlearned models, second path − first, per seed: its mean ± sample standard deviation
 * and in how many seeds it is positive, as `+0.0500 ± 0.0100 (3/3 > 0)`; [seeds] are one map of runs by path per seed.
 */
fun signedEnd(seeds: List<Map<String, RunResult>>, split: String, metric: String): String {
    val d = seeds.map { runs ->
        val (first, second) = runs.values.map { it.curve("unlearned", "unlearn", split, metric).last().value() }
        second - first
    }
    val mean = d.average()
    val sd = if (d.size < 2) Double.NaN else Math.sqrt(d.sumOf { (it - mean) * (it - mean) } / (d.size - 1))
    return (if (mean >= 0) "+" else "") + num(mean) + " ± " + num(sd) + " (${d.count { it > 0 }}/${d.size} > 0)"
}

/** One Markdown table of [t], `spread ± sd` pairs joined; with [seeds], the signed end difference too ([signedEnd]). */
fun markdown(t: Table, seeds: List<Map<String, RunResult>>?): String {
    val sb = StringBuilder()
    val paths = t.columnNames().filter { it.startsWith("final ") }
    val header = listOf("split", "metric", "seeds") + paths + listOf("Δ start", "Δ end", "mean Δ", "max Δ") +
        (if (seeds == null) listOf() else listOf("end, " + paths[1].removePrefix("final ") + " − " +
            paths[0].removePrefix("final ")))
    sb.append("| ").append(header.joinToString(" | ")).append(" |\n")
    sb.append("|").append("---|".repeat(header.size)).append("\n")
    for (i in 0 until t.rowCount()) {
        val cells = mutableListOf(t.stringColumn("split").get(i), t.stringColumn("metric").get(i),
            t.intColumn("seeds").get(i).toString())
        paths.forEach { cells.add(num(t.doubleColumn(it).getDouble(i))) }
        for (s in listOf("start", "end", "mean", "max")) {
            cells.add(num(t.doubleColumn("$s spread").getDouble(i)) + " ± " + num(t.doubleColumn("$s sd").getDouble(i)))
        }
        seeds?.let { cells.add(signedEnd(it, t.stringColumn("split").get(i), t.stringColumn("metric").get(i))) }
        sb.append("| ").append(cells.joinToString(" | ")).append(" |\n")
    }
    return sb.toString()
}

/** A run's tidy table read back from its [RunResult.csv] text, as a result of [recipe] with only those rows. */
fun resultFromCsv(recipe: Recipe, csv: String): RunResult = RunResult(recipe, csv.lines().drop(1).filter { it.isNotBlank() }
    .map { line ->
        val f = line.split(',')
        RunResult.Row(f[0], f[1], f[2], f[3], f[4].toDouble(), f[5].toLong())
    }, listOf(), mapOf(), mapOf())

/**
 * The path-dependence measurement: GA, NPO and SimNPO from both paths of examples/recipes/path-dependence-*.yaml,
 * for each seed; then per method the divergence of the unlearning trajectories across the paths (Divergence.table:
 * each path's final value, and the spread |Δ| at the start, at the end, its mean and maximum over the trajectory,
 * mean ± sample standard deviation over the seeds) as Markdown, each followed by its control: the same divergence
 * between two seeds of one path (seeds paired in order), the spread that the seed alone makes. Arguments: the seeds (default 1 2 3); `--tiny` for
 * the small check; `--out DIR` to also write each run's table to DIR/seed-S-METHOD-PATH.csv; `--combine DIR` to run
 * nothing and print the tables of every run in DIR — so seeds can run as separate processes, one per core (runs in
 * one process must not overlap: DJL collects gradients in one collector per process). Trained models are cached as
 * usual, so each seed trains its base and paths once for the three methods.
 */
fun main(args: Array<String>) {
    val tiny = "--tiny" in args
    val out = args.indexOf("--out").let { if (it >= 0) Path.of(args[it + 1]) else null }
    val combine = args.indexOf("--combine").let { if (it >= 0) Path.of(args[it + 1]) else null }
    val valued = listOf("--out", "--combine").map { args.indexOf(it) }.filter { it >= 0 }.map { it + 1 }.toSet()
    val dir = listOf(Path.of("examples/recipes"), Path.of("recipes"), Path.of("../examples/recipes"))
        .firstOrNull { Files.isDirectory(it) } ?: error("run from the repository's root: no examples/recipes here")
    val perSeed: List<Map<String, Map<String, RunResult>>>
    val seeds: List<Long>
    if (combine != null) {
        val files = Files.list(combine).use { s -> s.filter { it.fileName.toString().endsWith(".csv") }.toList() }
        val named = files.map { it.fileName.toString().removeSuffix(".csv").split('-', limit = 4) to it }
        seeds = named.map { it.first[1].toLong() }.distinct().sorted()
        perSeed = seeds.map { seed ->
            pathDependenceMethods().keys.associateWith { method ->
                pathDependencePaths.associateWith { path ->
                    val f = named.single { (n, _) -> n[1] == seed.toString() && n[2] == method && n[3] == path }.second
                    resultFromCsv(Lethe.fromYaml(dir.resolve("path-dependence-$path.yaml")), Files.readString(f))
                }
            }
        }
    } else {
        seeds = args.filterIndexed { i, a -> !a.startsWith("--") && i !in valued }.map { it.toLong() }
            .ifEmpty { listOf(1L, 2L, 3L) }
        out?.let { Files.createDirectories(it) }
        perSeed = seeds.map { seed ->
            val byMethod = pathDependenceMethods().mapValues { (method, objective) ->
                pathDependencePaths.associateWith { path ->
                    val start = System.nanoTime()
                    val r = Runner.of(pathDependenceRecipe(dir, path, method, objective, seed, tiny)).run()
                    System.err.printf("seed %d %s %s: %.0f s%n", seed, method, path, (System.nanoTime() - start) / 1e9)
                    out?.let { Files.writeString(it.resolve("seed-$seed-$method-$path.csv"), r.csv()) }
                    r
                }
            }
            // each seed's own tables as soon as it is done, so a cut-short measurement keeps what it measured
            System.err.println(byMethod.map { (method, runs) ->
                "seed $seed, $method\n" + markdown(Divergence.table(listOf(runs), "unlearn", pathDependenceRows), null)
            }.joinToString("\n"))
            byMethod
        }
    }
    println("Seeds ${seeds.joinToString(", ")}${if (tiny) " (tiny sizes)" else ""}; Δ = max − min across the paths " +
        "at a step of the unlearning's continual evaluation (every 10 steps, step 0 included), mean ± sd over seeds.\n")
    for (method in pathDependenceMethods().keys) {
        println("### $method\n")
        val runs = perSeed.map { it.getValue(method) }
        println(markdown(Divergence.table(runs, "unlearn", pathDependenceRows), runs))
        // the noise floor: the same path with another seed (seeds paired 1st–2nd, 3rd–4th, ...; both paths)
        val control = pathDependencePaths.flatMap { path ->
            perSeed.chunked(2).filter { it.size == 2 }.map { (a, b) ->
                linkedMapOf("seed a" to a.getValue(method).getValue(path), "seed b" to b.getValue(method).getValue(path))
            }
        }
        if (control.isNotEmpty()) {
            println("Control, $method: the same path, two seeds (${control.size} pairs)\n")
            println(markdown(Divergence.table(control, "unlearn", pathDependenceRows), null))
        }
    }
}
