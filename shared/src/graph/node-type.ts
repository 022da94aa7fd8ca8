/**
 * What the validator (and the editor) need to know of a node type. The full definitions live in
 * @sluice/nodes and satisfy this interface; shared never imports them (dependency direction).
 */
import type { z } from 'zod';
import type { EventSchema, FieldType } from '../schema/event-schema.js';

export type NodeCategory = 'source' | 'transform' | 'window' | 'route' | 'rules' | 'sink';

export interface PortSpec {
  name: string;
  label?: string;
  description?: string;
  /** An input port that may stay unconnected: the validator does not warn about it. */
  optional?: boolean;
}

/** An expression inside a node's config, for the validator and the editor to check. */
export interface ExpressionField {
  /** Path inside the node, e.g. `config.set.total`. */
  path: string;
  source: string;
  /** `predicate` must give a boolean; `value` anything; `key` a string or number. */
  role: 'predicate' | 'value' | 'key';
  /** Fields this expression sees beyond the node's input (e.g. set earlier in the same map). */
  extraFields?: Record<string, FieldType>;
}

/** A problem a node type finds in its own (schema-valid) config. */
export interface ConfigProblem {
  path: string;
  message: string;
  severity?: 'error' | 'warning';
  code?: string;
}

export interface InferContext {
  /** Schema per input port (undefined when unknown). */
  inputs: Record<string, EventSchema | undefined>;
}

/**
 * What a node needs of its input events: the top-level fields it reads, and whether it passes
 * input events on (so what its downstream reads is needed too). Lets an exchange ship only the
 * fields the other side uses (BullMQ). Without it a node is taken to read everything.
 */
export interface FieldUse {
  reads: readonly string[] | 'all';
  /** Input events (or copies of them) leave on some connected output port. */
  forwards: boolean;
}

/**
 * A node type's definition, typed by its config `C`. What a registry answers is the same shape
 * with the config type erased (`C = unknown`): each of its functions takes the config as a
 * document holds it and parses it with `config` before the typed definition sees it.
 */
/** How a source type splits (NodeTypeInfo.split), in words for the docs panel and docs/source-partitions.md. */
export interface SourceSplit<C = unknown> {
  /** How partition i of N chooses its records, e.g. "sequence blocks of 1,024 events, round robin". */
  how: string;
  /** What the union of the partitions guarantees against parallelism 1 (order, exactly the same events...). */
  guarantee: string;
  /** What the config lacks to split `parallelism` ways (e.g. a stream name without `{partition}`); undefined when it can. */
  check?: (config: C, parallelism: number) => string | undefined;
}

export interface NodeTypeInfo<C = unknown> {
  type: string;
  category: NodeCategory;
  title: string;
  /** One line for the palette. */
  summary: string;
  /** A paragraph for the docs panel. */
  docs: string;
  /** An example config, valid against `config`. */
  example: C;
  /** The one schema: TypeScript type, validation and JSON Schema for forms. Applies defaults. */
  config: z.ZodType<C>;
  inputs: readonly PortSpec[];
  /** Output ports; may depend on the config (a branch has one port per condition). */
  outputs: (config: C) => readonly PortSpec[];
  /** Expressions inside the config. */
  expressions?: (config: C) => ExpressionField[];
  /** Extra checks beyond the schema (e.g. `slide` must not exceed `size`). */
  check?: (config: C) => ConfigProblem[];
  /** Schema of events on each output port, from the config and the input schemas. */
  inferSchema?: (config: C, ctx: InferContext) => Record<string, EventSchema | undefined>;
  /**
   * Config values that name a field of the input (a window's `keyBy`, an aggregate's `field`),
   * as opposed to expressions: the validator checks each against the input schema as it checks
   * an expression's fields (an unknown one is an error with the closest known name).
   */
  fieldRefs?: (config: C) => { path: string; field: string }[];
  /** Fields the node keys its state by: the planner cuts a stage here and partitions by them. */
  keyBy?: (config: C) => readonly string[] | undefined;
  /** What the node reads of its input (see FieldUse); `isConnected` tells which outputs have edges. */
  fieldUse?: (config: C, isConnected: (port: string) => boolean) => FieldUse;
  /**
   * Whether events entering the node across a keyed exchange may travel pre-aggregated (a
   * combiner, docs/combiner.md): the fields a partial row adds beside the key fields, or
   * undefined when they may not (results would differ).
   */
  combines?: (config: C, isConnected: (port: string) => boolean) => readonly string[] | undefined;
  /** For sources: true when the source ends by itself. */
  bounded?: (config: C) => boolean;
  /**
   * For sources: how the source splits into partitions (`parallelism` in the node), and what a
   * split guarantees. Absent: the source does not split, and parallelism above 1 is refused.
   * The operator factory gets its share as `ctx.partition` (docs/source-partitions.md).
   */
  split?: SourceSplit<C>;
  /** The node talks to an outside system (a connector): the server can check its connection. */
  connects?: boolean;
  /**
   * Top-level string fields where `${env:NAME}` is resolved at deploy: connection fields only
   * (URLs, user names, hosts). A reference anywhere else (paths, expressions, prefixes) is
   * refused by the validator (docs/secrets.md). Default: none.
   */
  envRefFields?: readonly string[];
}

export interface NodeTypeRegistry {
  get(type: string): NodeTypeInfo | undefined;
  types(): readonly string[];
}
