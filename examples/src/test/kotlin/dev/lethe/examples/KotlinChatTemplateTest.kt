package dev.lethe.examples

import dev.lethe.model.ChatMessage
import dev.lethe.model.ChatTemplate
import dev.lethe.model.QaFormatter
import kotlin.test.Test
import kotlin.test.assertEquals

/** A Kotlin user renders a chat template and formats a question-answer pair through it. */
class KotlinChatTemplateTest {
    private val chatml = ChatTemplate.of(
        "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content | trim }}<|im_end|>\n{% endfor %}" +
            "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}",
        mapOf("eos_token" to "<|im_end|>"),
    )

    @Test
    fun `a conversation renders through the template`() {
        val text = chatml.render(listOf(ChatMessage.system("Be brief."), ChatMessage.user(" Hi! ")), true)
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n", text)
    }

    @Test
    fun `a question and its answer become prompt and answer text`() {
        val qa = QaFormatter.chat(chatml).format("Where is Torvel?", "In the north.")
        assertEquals("<|im_start|>user\nWhere is Torvel?<|im_end|>\n<|im_start|>assistant\n", qa.prompt())
        assertEquals("In the north.<|im_end|>\n", qa.answer())
        assertEquals("Where is Torvel? In the north.", QaFormatter.plain().format("Where is Torvel?", "In the north.").text())
    }
}
