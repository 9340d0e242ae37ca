import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelTool } from '../providers/chat-model.js';
import { ToolCallBudget, withinBudget } from './tool-call-budget.js';

const fn = (name: string): ModelTool => ({ type: 'function', function: { name } });
const execute = async () => ({ output: '', toolCall: { id: 'x', type: 'code_interpreter' as const, code_interpreter: { input: '', outputs: [] } } });

describe('ToolCallBudget', () => {
  it('should admit max calls, counting those the run already made, then refuse', () => {
    const budget = new ToolCallBudget(3, 1);
    assert.equal(budget.exhausted, false);
    assert.deepEqual([budget.take(), budget.take(), budget.take()], [true, true, false]);
    assert.equal(budget.exhausted, true);
  });

  it('should be spent from the start when the run already made max calls or more', () => {
    const budget = new ToolCallBudget(2, 5);
    assert.equal(budget.exhausted, true);
    assert.equal(budget.take(), false);
  });

  it('should never run out without a limit', () => {
    const budget = new ToolCallBudget(null, 1000);
    for (let i = 0; i < 100; i++) assert.equal(budget.take(), true);
    assert.equal(budget.exhausted, false);
  });
});

describe('withinBudget', () => {
  const offer = () => ({
    model: [fn('file_search'), fn('get_weather'), fn('code_interpreter')],
    byName: new Map([
      ['file_search', { impl: { execute } }],
      ['get_weather', { impl: {} }],
      ['code_interpreter', { impl: { execute } }],
    ]),
  });

  it('should keep every tool while calls are left', () => {
    const o = offer();
    assert.equal(withinBudget(o, new ToolCallBudget(1, 0)), o);
  });

  it("should offer only the client's functions once the budget is spent", () => {
    const o = withinBudget(offer(), new ToolCallBudget(1, 1));
    assert.deepEqual(o.model, [fn('get_weather')]);
    assert.deepEqual([...o.byName.keys()], ['get_weather']);
  });
});
