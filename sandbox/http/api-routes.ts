/** The /api/v1 routes: each one checks its scope, calls the domain and shapes the HTTP answer. */
import type { SandboxCore } from '../core';
import { requireScope } from '../domain/auth';
import { availability, departmentView, findDepartment } from '../domain/departments';
import { cancelAppointment, createAppointment, findAppointment, listAppointments, updateAppointment } from '../domain/appointments';
import { appointmentView, paymentView } from '../domain/payloads';
import { findPayment, startPurchase } from '../domain/payments';
import type { ApiKey } from '../domain/types';
import { asBody } from '../domain/validate';
import type { HttpResult } from './respond';
import { Router } from './router';

export interface ApiRequest {
  key: ApiKey;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
}

export type ApiHandler = (core: SandboxCore, req: ApiRequest) => HttpResult;

const orgName = (core: SandboxCore, id: number): string => core.store.organization(id).name;

export function apiRouter(): Router<ApiHandler> {
  return new Router<ApiHandler>()
    .add('GET', '/departments', (core, req) => {
      requireScope(req.key, core.assumptions.routeScopes.readDepartments);
      const own = core.store.state.departments.filter((d) => d.organizationId === req.key.organizationId);
      return { status: 200, body: own.map((d) => departmentView(d, orgName(core, d.organizationId))) };
    })
    .add('GET', '/departments/:id', (core, req) => {
      requireScope(req.key, core.assumptions.routeScopes.readDepartments);
      const dept = findDepartment(core.store.state.departments, req.params.id, req.key.organizationId);
      return { status: 200, body: departmentView(dept, orgName(core, dept.organizationId)) };
    })
    .add('GET', '/departments/:id/availability', (core, req) => {
      requireScope(req.key, core.assumptions.routeScopes.readDepartments);
      const dept = findDepartment(core.store.state.departments, req.params.id, req.key.organizationId);
      return { status: 200, body: availability(dept, req.query, core.store.state.appointments, core.clock.now(), core.assumptions) };
    })
    .add('POST', '/appointments', (core, req) => {
      requireScope(req.key, core.assumptions.routeScopes.createAppointment);
      return { status: core.assumptions.createStatus, body: appointmentView(createAppointment(core, req.key, req.body)) };
    })
    .add('GET', '/appointments', (core, req) => {
      requireScope(req.key, core.assumptions.routeScopes.readAppointments);
      return { status: 200, body: listAppointments(core, req.key, req.query) };
    })
    .add('GET', '/appointments/:id', (core, req) => {
      requireScope(req.key, core.assumptions.routeScopes.readAppointments);
      return { status: 200, body: appointmentView(findAppointment(core, req.params.id, req.key.organizationId)) };
    })
    .add('PATCH', '/appointments/:id', (core, req) => {
      requireScope(req.key, core.assumptions.routeScopes.updateAppointment);
      const appointment = findAppointment(core, req.params.id, req.key.organizationId);
      return { status: 200, body: appointmentView(updateAppointment(core, appointment, req.body)) };
    })
    .add('DELETE', '/appointments/:id', (core, req) => {
      requireScope(req.key, core.assumptions.routeScopes.cancelAppointment);
      const appointment = findAppointment(core, req.params.id, req.key.organizationId);
      // No body is documented; an optional {"reason": "..."} fills cancelReason.
      const body = req.body === undefined ? {} : asBody(req.body);
      const reason = typeof body.reason === 'string' ? body.reason : null;
      const cancelled = cancelAppointment(core, appointment, { cancelledBy: 'user', reason });
      const status = core.assumptions.cancelStatus;
      return status === 204 ? { status } : { status, body: appointmentView(cancelled) };
    })
    .add('POST', '/credits/purchases', (core, req) => {
      requireScope(req.key, core.assumptions.routeScopes.purchaseCredits);
      const seq = core.store.state.counters.payment + 1;
      const payment = startPurchase(core, req.key, req.body, { delayMs: core.paymentDelayMs, token: core.token('payment', seq, 10) });
      core.schedulePayment(payment);
      return { status: 201, body: paymentView(payment) };
    })
    .add('GET', '/credits/purchases/:id', (core, req) => {
      requireScope(req.key, core.assumptions.routeScopes.purchaseCredits);
      return { status: 200, body: paymentView(findPayment(core, req.params.id, req.key.organizationId)) };
    });
}
