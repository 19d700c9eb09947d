package dev.lethe.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * KMeans and the silhouette against scikit-learn 1.6.1 on a fixed point set. The expected values were made with
 * the bench venv ({@code bash bench/python-env.sh}):
 * <pre>
 * from sklearn.metrics import silhouette_score; from sklearn.cluster import KMeans
 * silhouette_score(X, [0,0,0,0,1,1,1,1,2,2,2,2])   # 0.8386310728806295
 * silhouette_score(X, [0,0,1,1,1,1,2,2,2,2,2,3])   # -0.2165992405753939 (label 3 a singleton)
 * KMeans(n_clusters=3, n_init=10, random_state=0).fit(X).labels_   # [1,1,1,1,0,0,0,0,2,2,2,2]
 * # best silhouette over k = 2..6: k = 3 (0.5938, 0.8386, 0.6403, 0.4482, 0.3999)
 * </pre>
 */
class KMeansTest {
    private static final double[][] X = {{0.0, 0.0}, {0.5, 0.2}, {0.1, 0.7}, {0.6, 0.6},
        {5.0, 5.0}, {5.5, 4.6}, {4.8, 5.7}, {5.9, 5.3},
        {0.0, 6.0}, {0.7, 6.4}, {-0.4, 5.5}, {0.3, 5.2}};

    @Test
    void silhouetteMatchesScikitLearn() {
        assertEquals(0.8386310728806295, KMeans.silhouette(X, new int[] {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}), 1e-6);
        assertEquals(-0.2165992405753939, KMeans.silhouette(X, new int[] {0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3}), 1e-6);
    }

    @Test
    void silhouetteOfOneClusterIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> KMeans.silhouette(X, new int[12]));
    }

    @Test
    void bestSilhouetteFindsScikitLearnsThreeClusters() {
        KMeans.Clusters best = KMeans.best(X, 20, 7);
        assertEquals(3, best.k());
        assertEquals(0.8386310728806295, best.silhouette(), 1e-6);
        assertSamePartition(new int[] {1, 1, 1, 1, 0, 0, 0, 0, 2, 2, 2, 2}, best.labels());
        assertArrayEquals(new double[] {5.3, 5.15}, best.centers()[best.labels()[4]], 1e-12,
                "the center is the cluster's mean");
    }

    @Test
    void sameSeedSameClusters() {
        for (long seed = 0; seed < 5; seed++) {
            KMeans.Clusters a = KMeans.fit(X, 4, seed);
            KMeans.Clusters b = KMeans.fit(X, 4, seed);
            assertArrayEquals(a.labels(), b.labels());
            assertEquals(a.silhouette(), b.silhouette(), 0.0);
        }
    }

    @Test
    void fewerThanThreePointsMakeOneCluster() {
        KMeans.Clusters one = KMeans.best(new double[][] {{1, 2}, {3, 4}}, 20, 1);
        assertEquals(1, one.k());
        assertArrayEquals(new double[] {2, 3}, one.centers()[0], 1e-12);
    }

    private static void assertSamePartition(int[] expected, int[] actual) {
        Map<Integer, Integer> map = new HashMap<>();
        for (int i = 0; i < expected.length; i++) {
            Integer before = map.putIfAbsent(expected[i], actual[i]);
            assertEquals(before == null ? actual[i] : before, actual[i], "point " + i);
        }
        assertEquals(map.size(), map.values().stream().distinct().count(), "clusters merged");
    }
}
