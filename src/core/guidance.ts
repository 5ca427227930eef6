/** The MCP server `instructions`: the orchestration workflow, told to the client model at connect time. */
export const SERVER_INSTRUCTIONS: string = [
  "Task orchestrator: break a large job into subtasks for specialist roles, do each one, then combine the results.",
  "This server never calls an LLM; you do the work, it stores plans, hands out specialist prompts and tracks progress.",
  "1. Call orchestrator_initialize_session first, with working_directory set to the project root.",
  "2. Call orchestrator_plan_task with the job and 3-10 subtasks, each for one specialist role, with dependencies by sibling task_id or title.",
  "3. For each ready subtask: orchestrator_execute_subtask(task_id) returns the specialist prompt; do the work as that specialist.",
  "4. Then call orchestrator_complete_subtask(task_id, summary, detailed_work, next_action: complete | continue | needs_revision | blocked).",
  "5. When all subtasks are done, call orchestrator_synthesize_results(parent_task_id).",
  "Call orchestrator_get_status at any time to see plans, progress and ready subtasks.",
  "Every result names the workspace it used; check it is the project you mean.",
  "A subtask whose dependencies are not completed is refused; finish those first.",
  "detailed_work is saved as an artifact file under .task_orchestrator/artifacts, so keep your summaries short.",
].join("\n");
