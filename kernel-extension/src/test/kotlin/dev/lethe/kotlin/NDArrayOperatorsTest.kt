package dev.lethe.kotlin

import ai.djl.engine.Engine
import ai.djl.ndarray.NDArray
import ai.djl.ndarray.NDManager
import ai.djl.ndarray.types.DataType
import dev.lethe.model.Scalars
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * The NDArray operators of `dev.lethe.kotlin`: their values, their gradients (known values and a finite
 * difference), gradients that survive a garbage collection between forward and backward pass, and a loud
 * failure for a closed operand.
 */
class NDArrayOperatorsTest {
    private val manager: NDManager = NDManager.newBaseManager()

    @AfterEach
    fun close() = manager.close()

    private fun x(): NDArray = manager.create(floatArrayOf(1f, 2f, 4f)).also { it.setRequiresGradient(true) }

    /** d(sum(f(x)))/dx, with a forced garbage collection between the forward and the backward pass. */
    private fun gradient(x: NDArray, f: (NDArray) -> NDArray): DoubleArray {
        Engine.getInstance().newGradientCollector().use { collector ->
            val loss = f(x).sum()
            repeat(3) { System.gc(); ByteArray(1 shl 20) }
            collector.backward(loss)
        }
        return x.gradient.toType(DataType.FLOAT64, false).toDoubleArray()
    }

    @Test
    fun `operators with numbers and arrays compute what they say`() {
        val x = manager.create(floatArrayOf(1f, 2f, 4f))
        val y = manager.create(floatArrayOf(2f, 2f, 2f))
        assertArrayEquals(floatArrayOf(1.5f, 2.5f, 4.5f), (x + 0.5).toFloatArray())
        assertArrayEquals(floatArrayOf(1.5f, 2.5f, 4.5f), (0.5 + x).toFloatArray())
        assertArrayEquals(floatArrayOf(0f, 1f, 3f), (x - 1).toFloatArray())
        assertArrayEquals(floatArrayOf(2f, 1f, -1f), (3 - x).toFloatArray())
        assertArrayEquals(floatArrayOf(0.5f, 1f, 2f), (x * 0.5).toFloatArray())
        assertArrayEquals(floatArrayOf(0.5f, 1f, 2f), (0.5 * x).toFloatArray())
        assertArrayEquals(floatArrayOf(4f, 2f, 1f), (4.0 / x).toFloatArray())
        assertArrayEquals(floatArrayOf(3f, 4f, 6f), (x + y).toFloatArray())
        assertArrayEquals(floatArrayOf(-1f, 0f, 2f), (x - y).toFloatArray())
        assertArrayEquals(floatArrayOf(2f, 4f, 8f), (x * y).toFloatArray())
        assertArrayEquals(floatArrayOf(-1f, -2f, -4f), (-x).toFloatArray())
        assertArrayEquals(floatArrayOf(1f, 2f, 4f), x.toFloatArray(), "no operator changes its operand in place")
    }

    @Test
    fun `half the loss has half the gradient`() {
        val full = gradient(x()) { it * it }
        val half = gradient(x()) { 0.5 * (it * it) }
        assertArrayEquals(doubleArrayOf(2.0, 4.0, 8.0), full, "d sum(x²)/dx = 2x")
        assertArrayEquals(doubleArrayOf(1.0, 2.0, 4.0), half, "d sum(0.5·x²)/dx = x")
    }

    @Test
    fun `every operator's gradient matches a central finite difference`() {
        val cases: Map<String, (NDArray) -> NDArray> = mapOf(
            "x + c" to { it * it + 0.5 }, "c - x" to { 3.0 - it * it }, "x * c" to { it * 0.25 * it },
            "c / x" to { 4.0 / it }, "x * (1 / c)" to { it * it * (1.0 / 3) }, "-x" to { -(it * it) }, "x - c" to { (it - 1) * it })
        for ((name, f) in cases) {
            val x = manager.create(doubleArrayOf(1.0, 2.0, 4.0)).also { it.setRequiresGradient(true) }
            val analytic = gradient(x, f)
            val h = 1e-6
            for (i in 0 until 3) {
                val plus = x.toDoubleArray().also { it[i] += h }
                val minus = x.toDoubleArray().also { it[i] -= h }
                val numeric = (f(manager.create(plus)).sum().getDouble() - f(manager.create(minus)).sum().getDouble()) / (2 * h)
                assertEquals(numeric, analytic[i], 1e-5 * (1 + Math.abs(numeric)), "$name, element $i")
            }
        }
    }

    @Test
    fun `scalars live on the array's manager and keep its type`() {
        val x = manager.create(doubleArrayOf(1.0, 2.0))
        val y = x * 0.5
        assertEquals(x.dataType, y.dataType)
        assertEquals(x.device, y.device)
        assertEquals(x.manager, y.manager)
    }

    @Test
    fun `a closed operand fails loudly instead of computing with freed memory`() {
        val weight = NDManager.newBaseManager().use { scope -> Scalars.scalar(scope.create(1f), 0.5) }
        val loss = manager.create(floatArrayOf(1f, 2f))
        for (op in listOf<() -> NDArray>({ loss * weight }, { weight * loss }, { loss + weight }, { loss - weight },
                { -weight }, { weight * 2 }, { 2 * weight }, { 1 - weight }, { 1.0 / weight })) {
            val e = assertThrows(IllegalStateException::class.java) { op() }
            assertTrue(e.message!!.contains("already closed") && e.message!!.contains("inside the objective"), e.message)
        }
    }
}
