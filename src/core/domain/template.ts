import { z } from 'zod';
import { Slug } from '../ids.js';
import { Labels, Timestamp } from './common.js';
import { ModelSpec, PlacementStrategy } from './model.js';

export const TemplateCategory = z.enum(['chat', 'completion', 'embedding', 'rerank', 'multimodal', 'code', 'other']);
export type TemplateCategory = z.infer<typeof TemplateCategory>;

export const TemplateSource = z.enum(['system', 'user']);
export type TemplateSource = z.infer<typeof TemplateSource>;

/** The spec a template carries: a ModelSpec without identity or timestamps. */
export const TemplateSpec = ModelSpec.omit({ model_uid: true, created_at: true, updated_at: true });
export type TemplateSpec = z.infer<typeof TemplateSpec>;

export const TemplateDeploymentDefaults = z.object({
  replicas: z.number().int().min(0).max(1000).default(1),
  node_selector: Labels.default({}),
  placement_strategy: PlacementStrategy.default('binpack'),
});
export type TemplateDeploymentDefaults = z.infer<typeof TemplateDeploymentDefaults>;

/** `/templates/{template_id}`: a preset to deploy models from. */
export const ModelTemplate = z.object({
  template_id: Slug,
  name: z.string().min(1).max(200),
  description: z.string().max(2000).default(''),
  category: TemplateCategory,
  source: TemplateSource,
  spec: TemplateSpec,
  deployment: TemplateDeploymentDefaults.default({ replicas: 1, node_selector: {}, placement_strategy: 'binpack' }),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type ModelTemplate = z.infer<typeof ModelTemplate>;
