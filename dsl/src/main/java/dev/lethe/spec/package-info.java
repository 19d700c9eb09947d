/**
 * What a recipe is: the immutable, validated {@link dev.lethe.spec.Recipe} and its {@link dev.lethe.spec.Stage}s,
 * each declaring its kind beside its record. Nothing here runs or serialises a recipe. Every method returns a value and changes nothing ({@code unlearning.steps(10)} is a copy), so a discarded result is a
 * bug: {@link com.google.errorprone.annotations.CheckReturnValue} makes IDEs and Error Prone say so.
 */
@NullMarked
@CheckReturnValue
package dev.lethe.spec;

import com.google.errorprone.annotations.CheckReturnValue;
import org.jspecify.annotations.NullMarked;
