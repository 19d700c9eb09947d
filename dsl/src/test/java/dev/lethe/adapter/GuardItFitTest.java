package dev.lethe.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** GUARD-IT's steering vector (arXiv 2605.12765, §3) against hand-computed values. */
class GuardItFitTest {
    @Test
    void retainMeanIsProjectedOutThenTheVectorIsRescaledToTheMeanOfTheNorms() {
        // (1,2) − ((1,2)·(1,0)/(1 + 1e-8))·(1,0) = (1e-8/(1+1e-8), 2) ≈ (1e-8, 2), then norm (3 + 1)/2 = 2
        assertArrayEquals(new double[] {1e-8, 2}, GuardItFit.steeringVector(new double[] {1, 2}, 3,
                new double[] {1, 0}, 1), 1e-12);
        // already orthogonal: (3,4,0) of norm 5 rescaled to (5 + 3)/2 = 4: (2.4, 3.2, 0)
        assertArrayEquals(new double[] {2.4, 3.2, 0}, GuardItFit.steeringVector(new double[] {3, 4, 0}, 5,
                new double[] {0, 0, 2}, 3), 1e-12);
        // parallel to the retain mean: nothing is left but ε's share, rescaled to norm (2 + 2)/2 = 2
        assertArrayEquals(new double[] {2, 0}, GuardItFit.steeringVector(new double[] {2, 0}, 2,
                new double[] {1, 0}, 2), 1e-6);
    }
}
