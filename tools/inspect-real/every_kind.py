"""A task on `mockllm/model` whose log holds every event kind and every content kind Inspect writes.

    every_kind.sh ENV_DIR OUT_DIR   # runs the three steps below and copies the logs

    inspect eval every_kind.py --model mockllm/model --log-format eval --display rich --max-samples 1
    inspect-python every_kind.py edit-score <log>   # adds the score_edit event
    inspect log convert --to json --output-dir <dir> <log>

(`--display rich`: the plain display's input screen records no input event.)

Samples (run in this order, one at a time):

- `all-kinds`: a user message whose content is text, image, audio, video and a document (tiny
  media made here or in `media/`, sent as data URIs); the solver writes info, logger, input,
  sandbox (the `local` sandbox), store, state, subtask, anchor + branch (`timeline_branch`) and
  compaction (`compaction(...).compact_input(force=True)`) events; then a tool loop: the mock
  model answers with reasoning, data, server-side tool use and text, calls `add` (approved by
  the `auto` approver: an approval event) and finally answers; `includes()` scores it.
- `working-limit`: the mock model calls `slow_add`, which sleeps past the task's working limit;
  Inspect's working-limit monitor stops the sample: an interrupt event (source `limit`,
  interrupted `tool_call`) and a sample_limit event.
- `error`: the solver raises; with `fail_on_error=False` the sample keeps an error event.

`edit-score` reads the finished log, edits one score with `edit_score` (a score_edit event) and
writes the log back in its own format, as a user editing a score would.

Inspect writes no `step` event any more (`transcript().step()` is a no-op kept for old code),
and a `checkpoint` event needs a restic backup (Inspect downloads its pinned restic 0.18.1 from
GitHub itself; no network here): neither is in this log (see the README).
"""

from __future__ import annotations

import base64
import logging
import struct
import sys
import wave
import zlib
from io import BytesIO
from pathlib import Path

from inspect_ai import Task, task
from inspect_ai.approval import ApprovalPolicy, auto_approver
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.event import timeline_branch
from inspect_ai.log import transcript
from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageTool,
    ChatMessageUser,
    CompactionTrim,
    ContentAudio,
    ContentData,
    ContentDocument,
    ContentImage,
    ContentReasoning,
    ContentText,
    ContentToolUse,
    ContentVideo,
    GenerateConfig,
    ModelOutput,
    compaction,
    get_model,
)
from inspect_ai.scorer import includes
from inspect_ai.solver import Generate, TaskState, generate, solver, system_message, use_tools
from inspect_ai.tool import ToolCall, ToolChoice, ToolInfo
from inspect_ai.util import input_screen, sandbox, store, subtask

# The tools of the tiny tasks (this folder's tasks.py; `inspect eval` imports beside the file).
from tasks import add, slow_add

HERE = Path(__file__).parent
logger = logging.getLogger("every_kind")


# --------------------------------------------------------------------------- tiny media


def data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def tiny_png() -> bytes:
    """An 8×8 RGB gradient."""
    width = height = 8
    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 32, y * 32, 128))
        for y in range(height)
    )

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def tiny_wav() -> bytes:
    """0.1 s of a 440 Hz square wave, 8 kHz mono 8-bit."""
    rate = 8000
    frames = bytes(200 if (i * 440 * 2 // rate) % 2 else 56 for i in range(rate // 10))
    out = BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()


def tiny_pdf() -> bytes:
    """A one-page PDF saying hello (objects and xref offsets computed here)."""
    text = b"BT /F1 18 Tf 20 40 Td (Hello from every_kind) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def media_message() -> ChatMessageUser:
    """The user's question, with one of each kind of media content."""
    video = (HERE / "media" / "tiny.mp4").read_bytes()
    return ChatMessageUser(
        content=[
            ContentText(text="Here are a picture, a sound, a clip and a page. What is 20 + 22?"),
            ContentImage(image=data_uri("image/png", tiny_png())),
            ContentAudio(audio=data_uri("audio/wav", tiny_wav()), format="wav"),
            ContentVideo(video=data_uri("video/mp4", video), format="mp4"),
            ContentDocument(
                document=data_uri("application/pdf", tiny_pdf()),
                filename="hello.pdf",
                mime_type="application/pdf",
            ),
        ]
    )


# --------------------------------------------------------------------------- the mock model


def _rich_tool_call(tool_name: str, x: int, y: int) -> ModelOutput:
    """An assistant turn with reasoning, provider data, a server-side tool use, text and a tool call."""
    message = ChatMessageAssistant(
        content=[
            ContentReasoning(
                reasoning=f"The user asks for {x} + {y}; the {tool_name} tool adds numbers.",
                summary="Use the tool to add.",
                signature="c2lnbmF0dXJl",
            ),
            ContentData(data={"provider": "mockllm", "cache_key": "every-kind-1"}),
            ContentToolUse(
                tool_type="web_search",
                id="ws_1",
                name="web_search",
                arguments='{"query": "what is 20 + 22"}',
                result="Search results: 20 + 22 = 42.",
            ),
            ContentText(text=f"Let me add {x} and {y}."),
        ],
        model="mockllm",
        source="generate",
        tool_calls=[
            ToolCall(id=f"call_{tool_name}_1", function=tool_name, arguments={"x": x, "y": y})
        ],
    )
    return ModelOutput(
        model="mockllm",
        choices=[ChatCompletionChoice(message=message, stop_reason="tool_calls")],
    )


def scripted(
    input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
) -> ModelOutput:
    """Add 20 and 22 with a tool, then answer with the tool's result.

    Asked to be slow, call `slow_add`; otherwise call `add` in a rich first turn.
    """
    tool_messages = [m for m in input if isinstance(m, ChatMessageTool)]
    if tool_messages:
        return ModelOutput.from_content(
            model="mockllm", content=f"The answer is {tool_messages[-1].text}."
        )
    if "slowly" in input[-1].text:
        return ModelOutput.for_tool_call(
            model="mockllm", tool_name="slow_add", tool_arguments={"x": 20, "y": 22}
        )
    return _rich_tool_call("add", 20, 22)


# --------------------------------------------------------------------------- solvers


@subtask
async def lookup(word: str) -> str:
    transcript().info({"looking_up": word}, source="lookup")
    return word.upper()


@solver
def every_event():
    """info, logger, input, sandbox, store, state, subtask, anchor + branch, compaction."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        sample = state.sample_id
        if sample == "error":
            raise RuntimeError("deliberate failure: this sample shows an error event")
        if sample != "all-kinds":
            return state

        transcript().info({"note": "an info event", "sample": sample}, source="every_kind")
        logger.warning("a warning from the task (a logger event)")

        with input_screen(header="Operator input") as console:
            console.print("An input screen: nothing is asked, the screen is recorded.")

        result = await sandbox().exec(["echo", "hello from the sandbox"])
        await sandbox().write_file("note.txt", result.stdout)

        store().set("answer_hint", "use the add tool")
        state.metadata["seen"] = await lookup("forty-two")

        anchor = state.messages[-1].id
        assert anchor is not None
        async with timeline_branch(name="alternative", from_anchor=anchor):
            transcript().info({"branch": "an alternative path, not taken"})

        compact = compaction(CompactionTrim(threshold=1_000_000), prefix=state.messages[:1])
        await compact.compact_input(state.messages, force=True)
        return state

    return solve


# --------------------------------------------------------------------------- the task


@task
def every_kind(working_limit: int = 3):
    """Three samples that between them write every event kind this Inspect can write here."""
    samples = [
        Sample(id="all-kinds", input=[media_message()], target="42"),
        Sample(id="working-limit", input="Add 20 and 22, slowly.", target="42"),
        Sample(id="error", input="What is 20 + 22?", target="42"),
    ]
    return Task(
        dataset=MemoryDataset(samples, name="every_kind"),
        solver=[
            system_message("You add numbers with tools."),
            every_event(),
            use_tools([add(), slow_add(delay=6.0)]),
            generate(),
        ],
        scorer=includes(),
        model=get_model("mockllm/model", custom_outputs=scripted),
        sandbox="local",
        approval=[ApprovalPolicy(auto_approver(), "*")],
        working_limit=working_limit,
        fail_on_error=False,
    )


# --------------------------------------------------------------------------- score edit


def edit_score_in(path: str) -> None:
    """Edit the `all-kinds` sample's score as a reviewer would: a score_edit event."""
    from inspect_ai.log import edit_score, read_eval_log, write_eval_log
    from inspect_ai.log import ProvenanceData
    from inspect_ai.scorer import ScoreEdit

    log = read_eval_log(path)
    edit_score(
        log,
        sample_id="all-kinds",
        score_name="includes",
        edit=ScoreEdit(
            value="C",
            explanation="Checked by hand: 42 is right.",
            provenance=ProvenanceData(author="every_kind.py", reason="reviewed"),
        ),
    )
    write_eval_log(log, path)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "edit-score":
        edit_score_in(sys.argv[2])
    else:
        sys.exit("usage: every_kind.py edit-score LOG")
